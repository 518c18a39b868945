using System;
using System.Numerics.Tensors;

namespace FastRnn.Training;

/// <summary>
/// Inverted dropout (PyTorch's <c>nn.Dropout</c> in training mode): each element is zeroed with
/// probability p and the survivors are scaled by 1/(1-p), so inference needs no rescaling.
/// Masks come from a seeded generator, so training is reproducible.
/// </summary>
public sealed class Dropout
{
    private readonly Random random;

    /// <summary>Creates a dropout with drop probability <paramref name="probability"/>.</summary>
    /// <param name="probability">p in [0, 1).</param>
    /// <param name="seed">Seed of the mask generator.</param>
    public Dropout(float probability, int seed)
    {
        if (!(probability >= 0f && probability < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "Dropout probability must be in [0, 1).");
        }

        Probability = probability;
        random = new Random(seed);
    }

    /// <summary>p.</summary>
    public float Probability { get; }

    /// <summary>Draws a mask: each element 0 with probability p, else 1/(1-p).</summary>
    /// <param name="mask">Filled with the mask.</param>
    public void NextMask(Span<float> mask)
    {
        float keep = 1f / (1f - Probability);
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = random.NextSingle() < Probability ? 0f : keep;
        }
    }

    /// <summary>values ⊙ mask, in place (forward with a fresh mask, or backward with the same one).</summary>
    /// <param name="values">The activations or gradients.</param>
    /// <param name="mask">The mask.</param>
    public static void Apply(Span<float> values, ReadOnlySpan<float> mask) => TensorPrimitives.Multiply(values, mask, values);
}

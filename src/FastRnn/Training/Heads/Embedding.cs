using System;
using System.Numerics.Tensors;

namespace FastRnn.Training.Heads;

/// <summary>A lookup table from token ids to vectors (PyTorch <c>nn.Embedding</c>: weight [V, D], N(0, 1) init).</summary>
public sealed class Embedding
{
    /// <summary>Creates a table with seeded N(0, 1) values, as PyTorch initialises it.</summary>
    /// <param name="name">Prefix of its parameter name.</param>
    /// <param name="vocabulary">V.</param>
    /// <param name="dimension">D.</param>
    /// <param name="seed">Initialisation seed.</param>
    public Embedding(string name, int vocabulary, int dimension, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabulary, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if ((long)vocabulary * dimension > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(
                nameof(vocabulary), vocabulary, $"An embedding of {vocabulary} x {dimension} needs {(long)vocabulary * dimension} floats in one table, more than {Array.MaxLength}; use a smaller vocabulary or dimension.");
        }

        Vocabulary = vocabulary;
        Dimension = dimension;
        var random = new Random(seed);
        float[] table = new float[vocabulary * dimension];
        for (int i = 0; i < table.Length; i++)
        {
            // Box-Muller.
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            table[i] = (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
        }

        Weight = new Parameter(name + ".weight", [vocabulary, dimension], table, new float[table.Length]);
    }

    /// <summary>V.</summary>
    public int Vocabulary { get; }

    /// <summary>D.</summary>
    public int Dimension { get; }

    /// <summary>The table [V, D].</summary>
    public Parameter Weight { get; }

    /// <summary>Looks up <paramref name="tokens"/>.</summary>
    /// <param name="tokens">[N] ids in 0..V-1.</param>
    /// <param name="output">[N, D].</param>
    public void Forward(ReadOnlySpan<int> tokens, Span<float> output)
    {
        if (output.Length != tokens.Length * Dimension)
        {
            throw new ArgumentException($"Expected output [{tokens.Length}, {Dimension}] = {tokens.Length * Dimension} floats, got {output.Length}.", nameof(output));
        }

        // Every id is checked before any row is written, so a bad call leaves the output as it was.
        CheckIds(tokens, nameof(tokens));
        for (int n = 0; n < tokens.Length; n++)
        {
            Weight.Value.AsSpan(tokens[n] * Dimension, Dimension).CopyTo(output.Slice(n * Dimension));
        }
    }

    /// <summary>Accumulates the rows of <paramref name="dOutput"/> into the rows of the looked-up tokens.</summary>
    /// <param name="tokens">[N] the ids of the forward pass.</param>
    /// <param name="dOutput">[N, D] gradient of the output.</param>
    public void Backward(ReadOnlySpan<int> tokens, ReadOnlySpan<float> dOutput)
    {
        if (dOutput.Length != tokens.Length * Dimension)
        {
            throw new ArgumentException($"Expected dOutput [{tokens.Length}, {Dimension}] = {tokens.Length * Dimension} floats, got {dOutput.Length}.", nameof(dOutput));
        }

        // Every id is checked before any row changes, so a bad call leaves the gradient as it was.
        CheckIds(tokens, nameof(tokens));

        for (int n = 0; n < tokens.Length; n++)
        {
            Span<float> row = Weight.Gradient.AsSpan(tokens[n] * Dimension, Dimension);
            TensorPrimitives.Add(row, dOutput.Slice(n * Dimension, Dimension), row);
        }
    }

    // Every id in 0..V-1, else refused naming the caller's argument (tokens, source, prime) and the first bad position.
    internal void CheckIds(ReadOnlySpan<int> tokens, string argument)
    {
        for (int n = 0; n < tokens.Length; n++)
        {
            if ((uint)tokens[n] >= (uint)Vocabulary)
            {
                throw new ArgumentOutOfRangeException(argument, tokens[n], $"{argument}[{n}] = {tokens[n]} is outside the vocabulary 0..{Vocabulary - 1}.");
            }
        }
    }
}

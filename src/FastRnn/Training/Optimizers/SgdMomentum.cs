using System;
using System.Collections.Generic;

namespace FastRnn.Training.Optimizers;

/// <summary>
/// Stochastic gradient descent with momentum and L2 weight decay, as PyTorch's <c>optim.SGD</c>:
/// g = ∇ + λ p; b = μ b + g (b = g on the first step); p -= lr · b.
/// </summary>
public sealed class SgdMomentum : Optimizer
{
    private readonly float[][] buffers;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="learningRate">lr.</param>
    /// <param name="momentum">μ in [0, 1).</param>
    /// <param name="weightDecay">λ ≥ 0.</param>
    public SgdMomentum(IReadOnlyList<Parameter> parameters, float learningRate, float momentum = 0.9f, float weightDecay = 0f)
        : base(parameters)
    {
        if (!(learningRate > 0) || !(momentum >= 0 && momentum < 1) || !(weightDecay >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), $"Need lr > 0 (got {learningRate}), 0 ≤ momentum < 1 (got {momentum}), weight decay ≥ 0 (got {weightDecay}).");
        }

        LearningRate = learningRate;
        Momentum = momentum;
        WeightDecay = weightDecay;
        buffers = new float[Count][];
        for (int i = 0; i < Count; i++)
        {
            buffers[i] = new float[At(i).Value.Length];
        }
    }

    /// <summary>μ.</summary>
    public float Momentum { get; }

    /// <summary>λ.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    public override void Step()
    {
        bool first = StepCount == 0;
        for (int i = 0; i < Count; i++)
        {
            float[] p = At(i).Value;
            float[] g = At(i).Gradient;
            float[] b = buffers[i];
            for (int j = 0; j < p.Length; j++)
            {
                float grad = g[j] + (WeightDecay * p[j]);
                b[j] = first ? grad : (Momentum * b[j]) + grad;
                p[j] -= LearningRate * b[j];
            }

            At(i).MarkChanged();
        }

        StepCount++;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, float[] Values)> State()
    {
        var state = new List<(string, float[])>(Count);
        for (int i = 0; i < Count; i++)
        {
            state.Add(("momentum_buffer." + At(i).Name, buffers[i]));
        }

        return state;
    }
}

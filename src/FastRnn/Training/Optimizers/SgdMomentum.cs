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
        if (Problem(learningRate, momentum, weightDecay) is string problem)
        {
            throw new ArgumentOutOfRangeException(
                !(learningRate > 0 && float.IsFinite(learningRate)) ? nameof(learningRate) : !(momentum >= 0 && momentum < 1) ? nameof(momentum) : nameof(weightDecay),
                problem);
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

    private static string? Problem(float learningRate, float momentum, float weightDecay) =>
        learningRate > 0 && float.IsFinite(learningRate) && momentum >= 0 && momentum < 1 && weightDecay >= 0 && float.IsFinite(weightDecay)
            ? null
            : $"Need a finite lr > 0 (got {learningRate}), 0 ≤ momentum < 1 (got {momentum}), a finite weight decay ≥ 0 (got {weightDecay}).";

    /// <summary>μ.</summary>
    public float Momentum { get; private set; }

    /// <summary>λ.</summary>
    public float WeightDecay { get; private set; }

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
    internal override string[] SettingNames => ["lr", "momentum", "weight_decay"];

    /// <inheritdoc/>
    internal override void GetSettings(Span<float> values)
    {
        values[0] = LearningRate;
        values[1] = Momentum;
        values[2] = WeightDecay;
    }

    /// <inheritdoc/>
    internal override string? CheckSettings(ReadOnlySpan<float> values) => Problem(values[0], values[1], values[2]);

    /// <inheritdoc/>
    internal override void RestoreSettings(ReadOnlySpan<float> values)
    {
        LearningRate = values[0];
        Momentum = values[1];
        WeightDecay = values[2];
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

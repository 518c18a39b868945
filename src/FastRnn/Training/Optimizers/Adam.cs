using System;
using System.Collections.Generic;

namespace FastRnn.Training.Optimizers;

/// <summary>
/// Adam, as PyTorch's <c>optim.Adam</c> (L2 weight decay added to the gradient) or, with
/// <c>decoupled</c>, <c>optim.AdamW</c> (p -= lr · λ · p before the update).
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly float[][] firstMoments;
    private readonly float[][] secondMoments;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="learningRate">lr.</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="epsilon">ε.</param>
    /// <param name="weightDecay">λ ≥ 0.</param>
    /// <param name="decoupled">AdamW's decoupled weight decay instead of L2.</param>
    public Adam(IReadOnlyList<Parameter> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0f, bool decoupled = false)
        : base(parameters)
    {
        if (Problem(learningRate, beta1, beta2, epsilon, weightDecay) is string problem)
        {
            throw new ArgumentOutOfRangeException(Offending(learningRate, beta1, beta2, epsilon, weightDecay), problem);
        }

        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        Decoupled = decoupled;
        firstMoments = new float[Count][];
        secondMoments = new float[Count][];
        for (int i = 0; i < Count; i++)
        {
            firstMoments[i] = new float[At(i).Value.Length];
            secondMoments[i] = new float[At(i).Value.Length];
        }
    }

    /// <summary>β₁.</summary>
    public float Beta1 { get; private set; }

    /// <summary>β₂.</summary>
    public float Beta2 { get; private set; }

    /// <summary>ε.</summary>
    public float Epsilon { get; private set; }

    /// <summary>λ.</summary>
    public float WeightDecay { get; private set; }

    /// <summary>Whether weight decay is decoupled (AdamW).</summary>
    public bool Decoupled { get; private set; }

    /// <inheritdoc/>
    public override void Step()
    {
        StepCount++;
        double correction1 = 1 - Math.Pow(Beta1, StepCount);
        double correction2 = 1 - Math.Pow(Beta2, StepCount);
        float stepSize = (float)(LearningRate / correction1);
        float root2 = (float)Math.Sqrt(correction2);
        for (int i = 0; i < Count; i++)
        {
            float[] p = At(i).Value;
            float[] g = At(i).Gradient;
            float[] m = firstMoments[i];
            float[] v = secondMoments[i];
            for (int j = 0; j < p.Length; j++)
            {
                float grad = g[j];
                if (Decoupled)
                {
                    p[j] -= LearningRate * WeightDecay * p[j];
                }
                else
                {
                    grad += WeightDecay * p[j];
                }

                m[j] = (Beta1 * m[j]) + ((1 - Beta1) * grad);
                v[j] = (Beta2 * v[j]) + ((1 - Beta2) * grad * grad);
                p[j] -= stepSize * m[j] / ((MathF.Sqrt(v[j]) / root2) + Epsilon);
            }

            At(i).MarkChanged();
        }
    }

    /// <inheritdoc/>
    internal override string[] SettingNames => ["lr", "beta1", "beta2", "eps", "weight_decay", "decoupled"];

    /// <inheritdoc/>
    internal override void GetSettings(Span<float> values)
    {
        values[0] = LearningRate;
        values[1] = Beta1;
        values[2] = Beta2;
        values[3] = Epsilon;
        values[4] = WeightDecay;
        values[5] = Decoupled ? 1f : 0f;
    }

    /// <inheritdoc/>
    internal override string? CheckSettings(ReadOnlySpan<float> values) =>
        Problem(values[0], values[1], values[2], values[3], values[4]) ?? (values[5] is 0f or 1f ? null : $"decoupled must be 0 or 1; got {values[5]}.");

    /// <inheritdoc/>
    internal override void RestoreSettings(ReadOnlySpan<float> values)
    {
        LearningRate = values[0];
        Beta1 = values[1];
        Beta2 = values[2];
        Epsilon = values[3];
        WeightDecay = values[4];
        Decoupled = values[5] == 1f;
    }

    private static string? Problem(float learningRate, float beta1, float beta2, float epsilon, float weightDecay) =>
        learningRate > 0 && float.IsFinite(learningRate) && beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && epsilon > 0 && float.IsFinite(epsilon) && weightDecay >= 0 && float.IsFinite(weightDecay)
            ? null
            : $"Need a finite lr > 0 (got {learningRate}), betas in [0, 1) (got {beta1}, {beta2}), a finite eps > 0 (got {epsilon}), a finite weight decay ≥ 0 (got {weightDecay}).";

    // The first argument Problem refuses, as the exception's parameter name.
    private static string Offending(float learningRate, float beta1, float beta2, float epsilon, float weightDecay) =>
        !(learningRate > 0 && float.IsFinite(learningRate)) ? nameof(learningRate)
        : !(beta1 >= 0 && beta1 < 1) ? nameof(beta1)
        : !(beta2 >= 0 && beta2 < 1) ? nameof(beta2)
        : !(epsilon > 0 && float.IsFinite(epsilon)) ? nameof(epsilon)
        : !(weightDecay >= 0 && float.IsFinite(weightDecay)) ? nameof(weightDecay)
        : nameof(learningRate);

    /// <inheritdoc/>
    internal override string? CheckState(string name, ReadOnlySpan<float> values)
    {
        if (!name.StartsWith("exp_avg_sq.", StringComparison.Ordinal))
        {
            return null;
        }

        // A mean of squares: a negative one (one flipped sign bit) would make the next step's square root NaN.
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] < 0)
            {
                return $"holds {values[i].ToString(System.Globalization.CultureInfo.InvariantCulture)} at index {i}; second moments cannot be negative";
            }
        }

        return null;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, float[] Values)> State()
    {
        var state = new List<(string, float[])>(2 * Count);
        for (int i = 0; i < Count; i++)
        {
            state.Add(("exp_avg." + At(i).Name, firstMoments[i]));
            state.Add(("exp_avg_sq." + At(i).Name, secondMoments[i]));
        }

        return state;
    }
}

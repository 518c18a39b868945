using System;

namespace FastRnn.Training.Losses;

/// <summary>Mean squared error (PyTorch <c>nn.MSELoss</c>, mean reduction).</summary>
public static class MeanSquaredError
{
    /// <summary>Computes mean((prediction − target)²) and its gradient.</summary>
    /// <param name="prediction">[N].</param>
    /// <param name="target">[N].</param>
    /// <param name="dPrediction">[N] overwritten with 2 (prediction − target) / N.</param>
    /// <returns>The mean squared error.</returns>
    public static float Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, Span<float> dPrediction)
    {
        int n = prediction.Length;
        if (target.Length != n || dPrediction.Length != n)
        {
            throw new ArgumentException($"Expected prediction, target and gradient of {n} values, got {target.Length} targets and {dPrediction.Length} gradients.");
        }

        double total = 0;
        float scale = n == 0 ? 0f : 2f / n;
        for (int i = 0; i < n; i++)
        {
            float diff = prediction[i] - target[i];
            total += (double)diff * diff;
            dPrediction[i] = scale * diff;
        }

        return n == 0 ? 0f : (float)(total / n);
    }
}

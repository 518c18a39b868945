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

        float scale = n == 0 ? 0f : 2f / n;
        double total = Accumulate(prediction, target, dPrediction, scale);
        return n == 0 ? 0f : (float)(total / n);
    }

    /// <summary>
    /// The mean over the valid steps of time-major rows [T, B, width]: row t·B + b counts when
    /// t &lt; lengths[b]; padded rows add nothing to the loss and get a zero gradient. Shapes and
    /// lengths (1..T) are checked by the caller.
    /// </summary>
    internal static float Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, Span<float> dPrediction, ReadOnlySpan<int> lengths, int width)
    {
        int batch = lengths.Length, rows = prediction.Length / width;
        long valid = 0;
        foreach (int length in lengths)
        {
            valid += length;
        }

        double n = (double)valid * width;
        float scale = (float)(2 / n);
        double total = 0;
        for (int row = 0; row < rows; row++)
        {
            int offset = row * width;
            if (row / batch >= lengths[row % batch])
            {
                dPrediction.Slice(offset, width).Clear();
                continue;
            }

            total += Accumulate(prediction.Slice(offset, width), target.Slice(offset, width), dPrediction.Slice(offset, width), scale);
        }

        return (float)(total / n);
    }

    // Σ (prediction − target)² in double; dPrediction = scale (prediction − target).
    private static double Accumulate(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, Span<float> dPrediction, float scale)
    {
        double total = 0;
        for (int i = 0; i < prediction.Length; i++)
        {
            float diff = prediction[i] - target[i];
            total += (double)diff * diff;
            dPrediction[i] = scale * diff;
        }

        return total;
    }
}

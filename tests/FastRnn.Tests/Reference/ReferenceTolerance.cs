using System;

namespace FastRnn.Tests.Reference;

/// <summary>The project's tensor comparison metric: max|A - E| / (max|E| + 1e-6).</summary>
public static class ReferenceTolerance
{
    public static double RelativeError(double[] actual, double[] expected)
    {
        if (actual.Length != expected.Length)
        {
            return double.PositiveInfinity;
        }

        double maxDiff = 0.0;
        double maxExpected = 0.0;
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs(actual[i] - expected[i]);
            maxDiff = double.IsNaN(diff) ? double.PositiveInfinity : Math.Max(maxDiff, diff);
            maxExpected = Math.Max(maxExpected, Math.Abs(expected[i]));
        }

        return maxDiff / (maxExpected + 1e-6);
    }

    /// <summary>max|A - E| / (max(max|E|, scale) + 1e-6): the metric above for a tensor whose values came from
    /// quantities of magnitude <paramref name="scale"/> (e.g. <see cref="ReferenceForwardResult.StateScale"/>).</summary>
    public static double RelativeErrorAtScale(double[] actual, double[] expected, double scale)
    {
        double largest = 0.0;
        foreach (double e in expected)
        {
            largest = Math.Max(largest, Math.Abs(e));
        }

        double relative = RelativeError(actual, expected);
        return largest >= scale ? relative : relative * (largest + 1e-6) / (scale + 1e-6);
    }
}

using System;

namespace FastRnn.Diagnostics;

/// <summary>The error measures of the self-test, the same as the conformance tests use.</summary>
internal static class ErrorMeasure
{
    /// <summary>
    /// max|A − E| / (max|E| + 1e-6) over a tensor: relative to the tensor's scale, so tiny elements
    /// do not dominate. A NaN in the actual values where the expected one is finite counts as ∞.
    /// </summary>
    public static double Relative(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected)
    {
        if (actual.Length != expected.Length)
        {
            return double.PositiveInfinity;
        }

        double maxDiff = 0, maxExpected = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs(actual[i] - expected[i]);
            maxDiff = double.IsNaN(diff) ? double.PositiveInfinity : Math.Max(maxDiff, diff);
            maxExpected = Math.Max(maxExpected, Math.Abs(expected[i]));
        }

        return maxDiff / (maxExpected + 1e-6);
    }

    /// <summary>
    /// max|A − E| / (scale + 1e-6) for sums whose terms may cancel: the scale is the largest sum of
    /// the terms' magnitudes (|y₀| + Σ|w·x|), which bounds a float sum's rounding error where the
    /// result itself can be close to zero.
    /// </summary>
    public static double RelativeToTerms(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected, double scale)
    {
        double maxDiff = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs(actual[i] - expected[i]);
            maxDiff = double.IsNaN(diff) ? double.PositiveInfinity : Math.Max(maxDiff, diff);
        }

        return actual.Length != expected.Length ? double.PositiveInfinity : maxDiff / (scale + 1e-6);
    }

    /// <summary>The largest of two errors, with NaN winning (a NaN error must fail).</summary>
    public static double Worst(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b);
}

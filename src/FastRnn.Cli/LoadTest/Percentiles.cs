using System;

namespace FastRnn.Cli.LoadTest;

/// <summary>Percentiles of a sorted sample by the nearest-rank rule: no interpolation, so every figure reported is a latency that was measured.</summary>
internal static class Percentiles
{
    /// <summary>The smallest value with at least <paramref name="fraction"/> of the sample at or below it; null for an empty sample.</summary>
    /// <param name="sorted">The sample, in ascending order.</param>
    /// <param name="fraction">0 (exclusive) .. 1 (inclusive): 0.5 for the median, 0.99 for p99, 1 for the maximum.</param>
    public static float? NearestRank(ReadOnlySpan<float> sorted, double fraction)
    {
        if (!(fraction > 0 && fraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "Expected a fraction in (0, 1].");
        }

        if (sorted.IsEmpty)
        {
            return null;
        }

        // The rank is ceil(fraction * n), from 1; a small tolerance keeps 0.95 * 100 at rank 95
        // where binary floating point makes it 95.00000000000001.
        long rank = (long)Math.Ceiling((fraction * sorted.Length) - 1e-9);
        return sorted[(int)Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}

using System;
using System.Diagnostics;

namespace FastRnn.Cli.Bench;

/// <summary>
/// A quick Stopwatch estimate of one call's time: warm-up, then the median of several rounds of
/// enough calls to last a while. Good to a few percent on an idle machine; not BenchmarkDotNet.
/// </summary>
internal static class QuickTimer
{
    private const int Rounds = 7;
    private static readonly TimeSpan WarmUp = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan Round = TimeSpan.FromMilliseconds(100);

    /// <summary>Median seconds per call of <paramref name="action"/>.</summary>
    public static double SecondsPerCall(Action action)
    {
        long calls = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < WarmUp)
        {
            action();
            calls++;
        }

        long perRound = Math.Max(1, (long)(calls * (Round / clock.Elapsed)));
        double[] seconds = new double[Rounds];
        for (int r = 0; r < Rounds; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (long i = 0; i < perRound; i++)
            {
                action();
            }

            seconds[r] = Stopwatch.GetElapsedTime(start).TotalSeconds / perRound;
        }

        Array.Sort(seconds);
        return seconds[Rounds / 2];
    }
}

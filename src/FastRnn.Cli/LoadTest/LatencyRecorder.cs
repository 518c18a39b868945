using System;
using System.Diagnostics;
using System.Threading;

namespace FastRnn.Cli.LoadTest;

/// <summary>
/// Every measured frame's latency, kept for exact percentiles at the end, in arrays sized once
/// ([streams, frames] microseconds) so that recording allocates nothing. Each stream has its own
/// row and one writer (its receiver), so recording takes no lock. A coarse log-scale histogram,
/// updated with atomic increments, gives the live p99 while the run goes on.
/// </summary>
internal sealed class LatencyRecorder
{
    /// <summary>Histogram buckets per factor e: about 4 % apart, fine enough for a progress line.</summary>
    private const double BucketsPerE = 25;

    private readonly float[] values;   // [streams, frames] µs, each stream's row filled from its start
    private readonly int[] counts;     // [streams] values recorded in each row
    private readonly long[] histogram; // [buckets] live counts by log(1 + µs)
    private readonly int frames;
    private long total;

    public LatencyRecorder(int streams, int frames)
    {
        this.frames = frames;
        values = new float[checked(streams * frames)];
        counts = new int[streams];
        histogram = new long[(int)(Math.Log(1 + 3.6e9) * BucketsPerE) + 2]; // up to an hour in µs
    }

    /// <summary>Records one answer of <paramref name="stream"/> that came <paramref name="elapsedTicks"/> Stopwatch ticks after its frame was sent.</summary>
    public void Record(int stream, long elapsedTicks)
    {
        float micros = (float)(elapsedTicks * 1e6 / Stopwatch.Frequency);
        values[(stream * frames) + counts[stream]] = micros;
        counts[stream]++;
        Interlocked.Increment(ref histogram[Bucket(micros)]);
        Interlocked.Increment(ref total);
    }

    /// <summary>An estimate (to the histogram's bucket, upper edge) of the latency percentile so far, in ms; null before the first answer.</summary>
    public double? LiveMilliseconds(double fraction)
    {
        long count = Interlocked.Read(ref total);
        if (count == 0)
        {
            return null;
        }

        long wanted = (long)Math.Ceiling(fraction * count), seen = 0;
        for (int bucket = 0; bucket < histogram.Length; bucket++)
        {
            seen += Interlocked.Read(ref histogram[bucket]);
            if (seen >= wanted)
            {
                return (Math.Exp((bucket + 1) / BucketsPerE) - 1) / 1000;
            }
        }

        return null;
    }

    /// <summary>Every recorded latency in µs, sorted; call once, after the last answer (it reorders the arrays in place).</summary>
    public ReadOnlySpan<float> SortedMicroseconds()
    {
        int n = 0;
        for (int stream = 0; stream < counts.Length; stream++)
        {
            values.AsSpan(stream * frames, counts[stream]).CopyTo(values.AsSpan(n));
            n += counts[stream];
        }

        Span<float> all = values.AsSpan(0, n);
        all.Sort();
        return all;
    }

    private int Bucket(float micros) => (int)Math.Min(Math.Log(1 + Math.Max(micros, 0)) * BucketsPerE, histogram.Length - 1);
}

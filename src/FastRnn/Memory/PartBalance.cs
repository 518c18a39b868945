using System;

namespace FastRnn.Memory;

/// <summary>
/// Shares items that cost the same on every part (the rows of a batched step) among the parts of
/// a <see cref="ParallelParts"/> run in proportion to how fast each part ran its earlier shares, so
/// the parts finish together on cores that are not equally fast: virtual CPUs whose host slows one
/// of them, or the performance and efficiency cores of a hybrid CPU (none measured yet). On the AMD Zen 5 VM of
/// perf-results two threads stepping 32 rows each ran about a quarter apart (5-42 % in twelve runs) for seconds at a time, and with
/// equal shares the faster one waited at every join. The split changes only the time, never a
/// result: rows are independent in every kernel.
/// </summary>
/// <remarks>
/// Each part records its own time (<see cref="Record"/>) in a slot on a cache line of its own; the
/// owner folds the slots in after the run (<see cref="Update"/>), while no part runs. One run moves a
/// speed by a quarter of the gap to what it measured, and a measurement counts for at most
/// <see cref="MaxRatio"/> times off the mean, so a part preempted once moves the split only a little.
/// A run in which a part had no items (a total smaller than the parts can share) changes no speed.
/// </remarks>
internal sealed class PartBalance
{
    /// <summary>How much faster than the parts' mean one run may show a part, and how much slower.</summary>
    public const double MaxRatio = 2.0;

    private const int SlotStride = 8;      // longs in a slot: 64 bytes, one cache line
    private const double Smoothing = 0.25; // weight of the newest run in a speed

    private readonly long[] slots;   // [parts + 1, SlotStride] ticks and items of each part's last run; slot 0 unused (beside the array's header)
    private readonly double[] speed; // [parts] items per tick of each part relative to the others (mean 1)

    /// <summary>Creates the balance of <paramref name="parts"/> parts, all equally fast until measured.</summary>
    /// <param name="parts">The parts of the runs (the threads of the owner's <see cref="ParallelParts"/>).</param>
    public PartBalance(int parts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        slots = new long[(parts + 1) * SlotStride];
        speed = new double[parts];
        speed.AsSpan().Fill(1.0);
    }

    /// <summary>Parts the balance knows.</summary>
    public int Parts => speed.Length;

    /// <summary>A part's relative speed (tests, diagnostics).</summary>
    public double SpeedOf(int part) => speed[part];

    /// <summary>
    /// Part <paramref name="part"/>'s contiguous share of [0, <paramref name="total"/>) when the first
    /// <paramref name="count"/> parts run, in proportion to their speeds; the shares are in part order,
    /// cover the range exactly and are the same from whichever thread asks.
    /// </summary>
    public (int First, int End) Share(int total, int count, int part) => (Boundary(total, count, part), Boundary(total, count, part + 1));

    /// <summary>Records, on part <paramref name="part"/>'s thread, how long its share took.</summary>
    /// <param name="part">The part.</param>
    /// <param name="ticks">Its time, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</param>
    /// <param name="items">Items in its share (0 when it had none).</param>
    public void Record(int part, long ticks, int items)
    {
        int at = (part + 1) * SlotStride;
        slots[at] = ticks;
        slots[at + 1] = items;
    }

    /// <summary>Folds the times the first <paramref name="count"/> parts recorded into their speeds; called by the owner after the run.</summary>
    public void Update(int count)
    {
        double mean = 0;
        int measured = 0;
        for (int i = 0; i < count; i++)
        {
            if (Measured(i, out double rate))
            {
                mean += rate;
                measured++;
            }
        }

        if (measured == count && count > 1)
        {
            mean /= measured;
            double sum = 0;
            for (int i = 0; i < count; i++)
            {
                Measured(i, out double rate);
                double seen = Math.Clamp(rate / mean, 1 / MaxRatio, MaxRatio);
                speed[i] += Smoothing * (seen - speed[i]);
                sum += speed[i];
            }

            for (int i = 0; i < count; i++)
            {
                speed[i] *= count / sum;
            }
        }

        Array.Clear(slots);
    }

    private bool Measured(int part, out double rate)
    {
        int at = (part + 1) * SlotStride;
        long ticks = slots[at], items = slots[at + 1];
        rate = ticks > 0 && items > 0 ? (double)items / ticks : 0;
        return rate > 0;
    }

    // Where part k's share begins (k = count: the end of the last share). One sum in one order for
    // every k, so a share ends exactly where the next begins.
    private int Boundary(int total, int count, int k)
    {
        if (k >= count)
        {
            return total;
        }

        double before = 0, sum = 0;
        for (int i = 0; i < count; i++)
        {
            if (i == k)
            {
                before = sum;
            }

            sum += speed[i];
        }

        return (int)Math.Clamp(Math.Round(total * before / sum), 0, total);
    }
}

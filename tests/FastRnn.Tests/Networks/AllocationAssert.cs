using System;
using System.Diagnostics;
using System.Threading;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// Zero-allocation tests count bytes allocated by every thread of the process
/// (<see cref="GC.GetTotalAllocatedBytes(bool)"/>), because a call with several threads allocates
/// on workers the caller's own counter never sees. xunit runs test classes in parallel in one
/// process, so another class's allocations would land in the count: every class that measures
/// belongs to this collection, which runs alone, with no other test at the same time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasurements
{
    public const string Name = "Allocation measurements (run alone)";
}

internal static class AllocationAssert
{
    private const int MeasuredRuns = 8;
    private const int MinimumWarmUpCalls = 60;
    private const int SteadyCalls = 20;
    private const int MaximumWarmUpCalls = 3000;

    // Tiered compilation recompiles a method after 30 calls once no new method was compiled for
    // 100 ms, and starts its background worker then: the warm-up lasts past that delay.
    private static readonly TimeSpan MinimumWarmUp = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaximumWarmUp = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Warms <paramref name="run"/> up until its one-off allocations are over (at least 60 calls and
    /// 250 ms, then 20 calls in a row that allocate nothing, or a bound), then requires 0 bytes
    /// allocated by any thread on every one of 8 measured calls.
    /// </summary>
    public static void AllocatesNothing(Action run)
    {
        var clock = Stopwatch.StartNew();
        int calls = 0, quiet = 0;
        while (calls < MaximumWarmUpCalls && clock.Elapsed < MaximumWarmUp
            && (calls < MinimumWarmUpCalls || clock.Elapsed < MinimumWarmUp || quiet < SteadyCalls))
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            run();
            quiet = GC.GetTotalAllocatedBytes(precise: true) == before ? quiet + 1 : 0;
            calls++;
        }

        long[] allocated = new long[MeasuredRuns];
        int remeasured = 0;
        for (int i = 0; i < allocated.Length; i++)
        {
            int threads = ThreadPool.ThreadCount;
            long before = GC.GetTotalAllocatedBytes(precise: true);
            long ownBefore = GC.GetAllocatedBytesForCurrentThread();
            run();
            allocated[i] = GC.GetTotalAllocatedBytes(precise: true) - before;
            bool onlyElsewhere = GC.GetAllocatedBytesForCurrentThread() == ownBefore;

            // Bytes that other threads allocated while the calling thread allocated none are measured
            // again, a few times at most: the thread pool adding or retiring a worker (its Thread
            // object), or the test runner reporting another test's result, allocate on their own
            // schedule. A call whose own workers allocate does so on every repeat, so it still fails;
            // anything the calling thread allocates is never excused.
            if (allocated[i] != 0 && (onlyElsewhere || ThreadPool.ThreadCount != threads) && remeasured < MeasuredRuns)
            {
                remeasured++;
                i--;
            }
        }

        Assert.True(
            Array.TrueForAll(allocated, bytes => bytes == 0),
            $"bytes allocated on {MeasuredRuns} measured calls after {calls} warm-up calls ({clock.ElapsedMilliseconds} ms, last {quiet} quiet, {remeasured} measured again): {string.Join(", ", allocated)}");
    }
}

using System;
using System.Diagnostics;
using Xunit;

namespace FastRnn.Tests.Reliability.Fuzzing;

/// <summary>
/// Feeds inputs to a <see cref="ReaderTarget"/> and enforces the contract for each: accepted and
/// correct, or rejected with <see cref="FastRnnFormatException"/> and a message; never another
/// exception type, never an allocation beyond <see cref="ReaderTarget.AllocationBound"/>, never
/// longer than <see cref="MaxMillisecondsPerInput"/>.
/// </summary>
internal sealed class FuzzRun
{
    /// <summary>Far above any real parse of these small files (microseconds): only a hang or a blow-up reaches it.</summary>
    public const double MaxMillisecondsPerInput = 2000;

    private readonly ReaderTarget target;

    public FuzzRun(ReaderTarget target) => this.target = target;

    public int Accepted { get; private set; }

    public int Rejected { get; private set; }

    /// <summary>Allocated bytes per file byte, over files large enough for the ratio to mean something.</summary>
    public double WorstAllocationRatio { get; private set; }

    public long LargestAllocation { get; private set; }

    public int LargestAllocationFileLength { get; private set; }

    public double SlowestMilliseconds { get; private set; }

    /// <summary>Runs one input through the reader, failing the test with the input's description if the contract is broken.</summary>
    public void Feed(byte[] bytes, string what)
    {
        target.Prepare(bytes);
        object? loaded = null;
        FastRnnFormatException? rejection = null;
        long before = GC.GetAllocatedBytesForCurrentThread();
        long start = Stopwatch.GetTimestamp();
        try
        {
            loaded = target.Load(bytes);
        }
        catch (FastRnnFormatException e)
        {
            rejection = e;
        }
        catch (Exception e)
        {
            Assert.Fail($"{target.Name}: {what} ({bytes.Length} bytes, {Convert.ToBase64String(bytes.AsSpan(0, Math.Min(bytes.Length, 3000)))}) threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
        }

        double milliseconds = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        SlowestMilliseconds = Math.Max(SlowestMilliseconds, milliseconds);
        if (bytes.Length > ReaderTarget.AllocationConstant)
        {
            WorstAllocationRatio = Math.Max(WorstAllocationRatio, allocated / (double)bytes.Length);
        }

        if (allocated > LargestAllocation)
        {
            LargestAllocation = allocated;
            LargestAllocationFileLength = bytes.Length;
        }
        Assert.True(
            allocated <= ReaderTarget.AllocationBound(bytes.Length),
            $"{target.Name}: {what} allocated {allocated} bytes for a {bytes.Length}-byte file; the bound is {ReaderTarget.AllocationBound(bytes.Length)}");
        Assert.True(milliseconds <= MaxMillisecondsPerInput, $"{target.Name}: {what} took {milliseconds:F0} ms");
        if (rejection is null)
        {
            Accepted++;
            target.VerifyAccepted(bytes, loaded!);
        }
        else
        {
            Rejected++;
            Assert.False(string.IsNullOrWhiteSpace(rejection.Message), $"{target.Name}: {what} was rejected without a message");
            target.VerifyRejected();
        }
    }
}

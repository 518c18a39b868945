using System;
using System.Diagnostics;
using System.Linq;
using FastRnn.Cli.LoadTest;
using Xunit;

namespace FastRnn.Tests.LoadTest;

/// <summary>The nearest-rank percentiles of the load test's report, and the recorder that feeds them.</summary>
public sealed class PercentilesTests
{
    [Theory]
    [InlineData(0.50, 50)]
    [InlineData(0.95, 95)]
    [InlineData(0.99, 99)]
    [InlineData(0.995, 100)]
    [InlineData(1.0, 100)]
    [InlineData(0.001, 1)]
    public void OneToAHundredGivesTheRankItself(double fraction, float expected)
    {
        float[] sample = [.. Enumerable.Range(1, 100).Select(i => (float)i)];
        Assert.Equal(expected, Percentiles.NearestRank(sample, fraction));
    }

    [Fact]
    public void EveryPercentileIsAValueOfTheSample()
    {
        float[] sample = [0.5f, 2f, 7f, 10f];
        Assert.Equal(2f, Percentiles.NearestRank(sample, 0.5));   // rank ceil(2) = 2
        Assert.Equal(7f, Percentiles.NearestRank(sample, 0.51));  // rank ceil(2.04) = 3
        Assert.Equal(10f, Percentiles.NearestRank(sample, 0.99)); // rank 4
        Assert.Equal(3f, Percentiles.NearestRank([3f], 0.5));
        Assert.Equal(3f, Percentiles.NearestRank([3f], 1.0));
    }

    [Fact]
    public void AnEmptySampleHasNoPercentilesAndFractionsOutsideZeroToOneAreRefused()
    {
        Assert.Null(Percentiles.NearestRank([], 0.99));
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.NearestRank([1f], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.NearestRank([1f], 1.01));
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.NearestRank([1f], double.NaN));
    }

    [Fact]
    public void TheRecorderSortsTheLatenciesOfEveryStreamAndEstimatesP99Live()
    {
        var recorder = new LatencyRecorder(streams: 3, frames: 100);
        Assert.Null(recorder.LiveMilliseconds(0.99));
        long microsecond = Stopwatch.Frequency / 1_000_000;
        for (int i = 1; i <= 100; i++)
        {
            recorder.Record(i % 3, i * 1000 * microsecond); // 1..100 ms, spread over the streams
        }

        float[] sorted = recorder.SortedMicroseconds().ToArray();
        Assert.Equal(100, sorted.Length);
        Assert.True(sorted.SequenceEqual(sorted.Order()));
        Assert.Equal(99_000f, Percentiles.NearestRank(sorted, 0.99)!.Value, 1f);
        double live = recorder.LiveMilliseconds(0.99)!.Value;
        Assert.InRange(live, 99 * 0.99, 99 * 1.05); // a bucket's upper edge, about 4 % wide
    }

    [Fact]
    public void RecordingAllocatesNothing()
    {
        var recorder = new LatencyRecorder(streams: 2, frames: 10_000);
        recorder.Record(0, 1000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5000; i++)
        {
            recorder.Record(1, 1000 + i);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

using System;
using FastRnn.Networks;
using FastRnn.Serving;
using FastRnn.Sessions;
using Xunit;

namespace FastRnn.Tests.Serving;

/// <summary>
/// <see cref="StreamBatcher.WarmUp"/> steps throwaway batches without touching any stream: streams
/// stepped before and after a warm-up (some of them resident in the engine's rows when it starts)
/// stay bit-identical to one session per stream.
/// </summary>
public sealed class BatcherWarmUpTests
{
    [Theory]
    [InlineData("lstm", 1)]
    [InlineData("gru-reset-before-2-layers", 1)]
    [InlineData("rnn-relu-2-layers", 1)]
    [InlineData("lstm-large", 2)]
    [InlineData("gru-int8-large", 2)]
    public void WarmUpBetweenStepsLeavesEveryStreamAsIfItNeverRan(string name, int threads)
    {
        RecurrentNetwork network = ServingFixtures.Network(name);
        NetworkDescription d = network.Description;
        const int streams = 3, steps = 6;
        var random = new Random(97 + name.Length);
        using var batcher = new StreamBatcher(network, new StreamBatcherOptions { MaxStreams = 4, MaxBatch = 4, Threads = threads });
        var handles = new StreamHandle[streams];
        var references = new StreamingSession[streams];
        for (int s = 0; s < streams; s++)
        {
            handles[s] = batcher.Open();
            references[s] = network.CreateSession();
        }

        float[] frames = ServingFixtures.RandomFloats(random, steps * streams * d.InputSize); // [steps, streams, I]
        float[] outputs = new float[streams * d.StateSize], expected = new float[d.StateSize];
        for (int t = 0; t < steps; t++)
        {
            // The same streams in the same rows each call: their states are resident in the
            // engine when the warm-up starts at t = 3, which must write them back first.
            batcher.Step(handles, frames.AsSpan(t * streams * d.InputSize, streams * d.InputSize), outputs);
            if (t == 2)
            {
                Assert.True(batcher.WarmUp(TimeSpan.Zero) >= 1);
            }

            for (int s = 0; s < streams; s++)
            {
                references[s].Step(frames.AsSpan(((t * streams) + s) * d.InputSize, d.InputSize), 1, expected);
                ServingFixtures.AssertBitIdentical(expected, outputs.AsSpan(s * d.StateSize, d.StateSize), $"{name}, stream {s}, step {t}");
            }
        }
    }

    [Fact]
    public void WarmUpRunsEveryBatchSizeAtLeastOnceAndForAboutTheDurationAsked()
    {
        using var batcher = new StreamBatcher(ServingFixtures.Network("lstm"), new StreamBatcherOptions { MaxStreams = 20, MaxBatch = 16 });
        Assert.Equal(9, batcher.WarmUp(TimeSpan.Zero)); // batches 1..8, then 16

        var clock = System.Diagnostics.Stopwatch.StartNew();
        int steps = batcher.WarmUp(TimeSpan.FromMilliseconds(50));
        Assert.True(clock.ElapsedMilliseconds >= 50, $"returned after {clock.ElapsedMilliseconds} ms");
        Assert.Equal(0, steps % 9);

        using var small = new StreamBatcher(ServingFixtures.Network("lstm"), new StreamBatcherOptions { MaxStreams = 3, MaxBatch = 3 });
        Assert.Equal(4, small.WarmUp(TimeSpan.Zero)); // batches 1..3, then 3
    }

    [Fact]
    public void WarmUpRefusesANegativeOrOverlongDurationAndADisposedBatcher()
    {
        var batcher = new StreamBatcher(ServingFixtures.Network("lstm"));
        ArgumentOutOfRangeException negative = Assert.Throws<ArgumentOutOfRangeException>(() => batcher.WarmUp(TimeSpan.FromMilliseconds(-1)));
        Assert.Contains("between 0 and 1 minute", negative.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => batcher.WarmUp(TimeSpan.FromMinutes(2)));
        batcher.Dispose();
        Assert.Throws<ObjectDisposedException>(() => batcher.WarmUp(TimeSpan.Zero));
    }
}

// xUnit1051: the steps' own tokens are what these tests are about (CancellationToken.None where the
// batcher's pooled path is measured); CA2012: ValueTasks are held on purpose, to queue several steps
// before awaiting, each awaited exactly once.
#pragma warning disable xUnit1051, CA2012
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading.Tasks;
using FastRnn.Networks;
using FastRnn.Serving;
using Xunit;

namespace FastRnn.Tests.Serving;

/// <summary>
/// What the loop puts in a batch: the oldest ready frames of distinct streams, at most MaxBatch,
/// one frame per stream per batch in each stream's order; and how long it waits for more.
/// </summary>
public sealed class BatcherOrderingTests
{
    private static readonly RecurrentNetwork Network = ServingFixtures.Create(new NetworkDescription(CellKind.Gru, 3, 5), 21);

    [Fact]
    public async Task BatchesTakeTheOldestFrameOfDistinctStreamsUpToMaxBatch()
    {
        using var batcher = new StreamBatcher(Network, new StreamBatcherOptions { MaxStreams = 6, MaxBatch = 3 });
        StreamHandle a = batcher.Open(), b = batcher.Open(), c = batcher.Open(), e = batcher.Open(), f = batcher.Open();
        var batches = new List<int[]>();
        batcher.ObserveBatch = slots => batches.Add(slots.ToArray());
        StreamHandle[] arrivals = [a, b, a, c, e, b, f, a];
        var tasks = new ValueTask[arrivals.Length];
        var outputs = new float[arrivals.Length][];

        // Holding the lock keeps the loop from seeing any frame until all have arrived.
        lock (batcher.Gate)
        {
            for (int i = 0; i < arrivals.Length; i++)
            {
                outputs[i] = new float[5];
                tasks[i] = batcher.StepAsync(arrivals[i], new float[] { i, 1, 2 }, outputs[i]);
            }
        }

        foreach (ValueTask task in tasks)
        {
            await task;
        }

        // Arrival order a1 b1 a2 c1 e1 b2 f1 a3: each batch takes heads oldest first, a stream once.
        int[][] expected = [[a.Slot, b.Slot, c.Slot], [a.Slot, e.Slot, b.Slot], [f.Slot, a.Slot]];
        Assert.Equal(expected, batches.ToArray());
    }

    [Fact]
    public async Task AStreamsFramesAreAppliedInOrderOneStepEach()
    {
        using var batcher = new StreamBatcher(Network, new StreamBatcherOptions { MaxStreams = 2, MaxBatch = 2 });
        StreamHandle handle = batcher.Open();
        var session = Network.CreateSession();
        const int frames = 20;
        float[] inputs = ServingFixtures.RandomFloats(new Random(3), frames * 3), outputs = new float[frames * 5];
        var tasks = new ValueTask[frames];
        for (int t = 0; t < frames; t++)
        {
            tasks[t] = batcher.StepAsync(handle, inputs.AsMemory(t * 3, 3), outputs.AsMemory(t * 5, 5));
        }

        foreach (ValueTask task in tasks)
        {
            await task;
        }

        float[] expected = new float[5];
        for (int t = 0; t < frames; t++)
        {
            session.Step(inputs.AsSpan(t * 3, 3), 1, expected);
            ServingFixtures.AssertBitIdentical(expected, outputs.AsSpan(t * 5, 5), $"step {t}");
        }
    }

    [Fact]
    public async Task APartialBatchWaitsForTheQueueDelayOnTheBatchersClock()
    {
        var clock = new ManualClock();
        var options = new StreamBatcherOptions { MaxStreams = 4, MaxBatch = 3, MaxQueueDelay = TimeSpan.FromMilliseconds(200), TimeProvider = clock };
        using var batcher = new StreamBatcher(Network, options);
        StreamHandle a = batcher.Open(), b = batcher.Open(), c = batcher.Open();
        var batches = new List<int[]>();
        batcher.ObserveBatch = slots => batches.Add(slots.ToArray());
        float[] outA = new float[5], outB = new float[5], outC = new float[5];
        ValueTask first = batcher.StepAsync(a, new float[3], outA);
        ValueTask second = batcher.StepAsync(b, new float[3], outB);

        // The clock stands still: two of three streams never make a batch, however long we wait.
        await Task.Delay(300);
        Assert.False(first.IsCompleted || second.IsCompleted, "a partial batch ran before its queue delay passed");

        // A third stream fills the batch: it runs at once, without the delay.
        await batcher.StepAsync(c, new float[3], outC).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        await first;
        await second;
        Assert.Equal([a.Slot, b.Slot, c.Slot], Assert.Single(batches));

        // Once the clock passes the delay, a lone frame runs (when the loop's timer looks again).
        ValueTask lone = batcher.StepAsync(a, new float[3], outA);
        await Task.Delay(50);
        Assert.False(lone.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(201));
        await lone.AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, batches.Count);
    }

    [Fact]
    public async Task WithoutQueueDelayALoneFrameRunsAtOnceAndWithOneItWaits()
    {
        using (var batcher = new StreamBatcher(Network, new StreamBatcherOptions { MaxStreams = 2, MaxBatch = 2 }))
        {
            StreamHandle handle = batcher.Open();
            await batcher.StepAsync(handle, new float[3], new float[5]).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        }

        // Real clock: a lone frame cannot complete before the delay (only a lower bound is checked).
        using (var batcher = new StreamBatcher(Network, new StreamBatcherOptions { MaxStreams = 2, MaxBatch = 2, MaxQueueDelay = TimeSpan.FromMilliseconds(150) }))
        {
            StreamHandle handle = batcher.Open();
            var clock = Stopwatch.StartNew();
            await batcher.StepAsync(handle, new float[3], new float[5]).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(140), $"completed after {clock.Elapsed.TotalMilliseconds} ms, before the 150 ms queue delay");
        }
    }

    [Fact]
    public void SynchronousCallsRunMoreThanMaxBatchStreamsAsSeveralBatches()
    {
        using var batcher = new StreamBatcher(Network, new StreamBatcherOptions { MaxStreams = 8, MaxBatch = 3 });
        var handles = new StreamHandle[7];
        for (int i = 0; i < handles.Length; i++)
        {
            handles[i] = batcher.Open();
        }

        var sizes = new List<int>();
        batcher.ObserveBatch = slots => sizes.Add(slots.Length);
        batcher.Step(handles, new float[7 * 3], new float[7 * 5]);
        Assert.Equal([3, 3, 1], sizes);
    }

    [Fact]
    public async Task ManyCallersOnTwoThreadsNeverExceedMaxBatchOrRepeatAStreamInABatch()
    {
        using var batcher = new StreamBatcher(Network, new StreamBatcherOptions { MaxStreams = 16, MaxBatch = 5, Threads = 2 });
        var violations = new List<string>();
        batcher.ObserveBatch = slots =>
        {
            var seen = new HashSet<int>();
            foreach (int slot in slots)
            {
                if (!seen.Add(slot))
                {
                    violations.Add($"slot {slot} twice in one batch");
                }
            }

            if (slots.Length > 5)
            {
                violations.Add($"batch of {slots.Length}");
            }
        };

        var callers = new Task[16];
        for (int s = 0; s < callers.Length; s++)
        {
            StreamHandle handle = batcher.Open();
            callers[s] = Task.Run(async () =>
            {
                float[] output = new float[5], output2 = new float[5];
                for (int t = 0; t < 30; t++)
                {
                    ValueTask one = batcher.StepAsync(handle, new float[3], output);
                    ValueTask two = batcher.StepAsync(handle, new float[3], output2);
                    await one;
                    await two;
                }
            });
        }

        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Empty(violations);
    }
}

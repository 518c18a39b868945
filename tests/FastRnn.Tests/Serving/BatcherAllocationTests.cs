// xUnit1051: the steps' own tokens are what these tests are about (CancellationToken.None where the
// batcher's pooled path is measured); CA2012: ValueTasks are held on purpose, to queue several steps
// before awaiting, each awaited exactly once.
#pragma warning disable xUnit1051, CA2012
using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.Heads;
using FastRnn.Networks;
using FastRnn.Serving;
using FastRnn.Tests.Networks;
using Xunit;

namespace FastRnn.Tests.Serving;

/// <summary>
/// Warm steps allocate nothing on any thread: synchronous calls always, awaited
/// <see cref="StreamBatcher.StepAsync"/> calls with <see cref="CancellationToken.None"/> once their
/// pooled requests exist (measured around single awaits inside one async method, so the caller's own
/// state machine is allocated once, before measuring).
/// </summary>
[Collection(AllocationMeasurements.Name)]
public sealed class BatcherAllocationTests
{
    [Theory]
    [InlineData("lstm-projection-2-layers", 1)]
    [InlineData("gru-reset-before-2-layers", 2)]
    [InlineData("lstm-int8-projection", 2)]
    [InlineData("rnn-tanh", 1)]
    public void SynchronousStepsAllocateNothing(string name, int threads)
    {
        RecurrentNetwork network = ServingFixtures.Network(name);
        NetworkDescription d = network.Description;
        using var batcher = new StreamBatcher(network, new StreamBatcherOptions { MaxStreams = 8, MaxBatch = 3, Threads = threads });
        StreamHandle[] handles = [batcher.Open(), batcher.Open(), batcher.Open(), batcher.Open()];
        float[] frames = ServingFixtures.RandomFloats(new Random(1), 4 * d.InputSize, 0.1f), outputs = new float[4 * d.StateSize];
        float[] hidden = new float[d.NumLayers * d.StateSize], cell = new float[ServingFixtures.CellFloats(d)];
        byte[] state = new byte[batcher.ExportedStateBytes];
        AllocationAssert.AllocatesNothing(() =>
        {
            batcher.Step(handles[0], frames.AsSpan(0, d.InputSize), outputs.AsSpan(0, d.StateSize));
            batcher.Step(handles, frames, outputs); // two batched steps: 3 + 1
            batcher.GetState(handles[1], hidden, cell);
            batcher.ExportState(handles[2], state);
            batcher.Reset(handles[3]);
        });
    }

    [Theory]
    [InlineData("lstm-projection-2-layers", 1, 0, 0)]
    [InlineData("gru-int8", 2, 0, 0)]
    [InlineData("lstm", 1, 1, 0)]
    [InlineData("lstm", 1, 0, 6)]
    [InlineData("gru-int8", 2, 0, 6)]
    public async Task AwaitedAsyncStepsAllocateNothingOnceWarm(string name, int threads, int delayMilliseconds, int headClasses)
    {
        RecurrentNetwork network = ServingFixtures.Network(name);
        NetworkDescription d = network.Description;
        DenseHead? head = headClasses == 0 ? null : BatcherHeadTests.Head(d.OutputSize, headClasses, HeadActivation.Softmax, 4);
        var options = new StreamBatcherOptions { MaxStreams = 4, MaxBatch = 2, Threads = threads, MaxQueueDelay = TimeSpan.FromMilliseconds(delayMilliseconds), Head = head };
        using var batcher = new StreamBatcher(network, options);
        int o = batcher.OutputSize;
        StreamHandle first = batcher.Open(), second = batcher.Open();
        float[] frames = ServingFixtures.RandomFloats(new Random(2), 2 * d.InputSize, 0.1f), outputs = new float[2 * o];
        ReadOnlyMemory<float> frameA = frames.AsMemory(0, d.InputSize), frameB = frames.AsMemory(d.InputSize, d.InputSize);
        Memory<float> outputA = outputs.AsMemory(0, o), outputB = outputs.AsMemory(o, o);

        // Off the test thread, with no synchronization context to post continuations to. Each call
        // queues two streams together (one batch when both are ready) and awaits each once; the
        // awaits are written out here, in this one async method, so no state machine but this one
        // (allocated before measuring) is involved.
        string? failure = await Task.Run(async () =>
        {
            const int measured = 8;
            long[] allocated = new long[measured];
            var clock = Stopwatch.StartNew();
            int calls = 0, quiet = 0, remeasured = 0, index = -1, workers = 0;
            long before = 0;
            while (index < measured)
            {
                bool warming = index < 0;
                if (warming && !(calls < 3000 && clock.Elapsed < TimeSpan.FromSeconds(15) && (calls < 60 || clock.Elapsed < TimeSpan.FromMilliseconds(250) || quiet < 20)))
                {
                    index = 0;
                    continue;
                }

                workers = ThreadPool.ThreadCount;
                before = GC.GetTotalAllocatedBytes(precise: true);
                ValueTask a = batcher.StepAsync(first, frameA, outputA);
                ValueTask b = batcher.StepAsync(second, frameB, outputB);
                await a.ConfigureAwait(false);
                await b.ConfigureAwait(false);
                long bytes = GC.GetTotalAllocatedBytes(precise: true) - before;
                if (warming)
                {
                    quiet = bytes == 0 ? quiet + 1 : 0;
                    calls++;
                }
                else if (bytes != 0 && ThreadPool.ThreadCount != workers && remeasured < measured)
                {
                    // As AllocationAssert: the thread pool adding or retiring a worker allocates on its own schedule.
                    remeasured++;
                }
                else
                {
                    allocated[index++] = bytes;
                }
            }

            return Array.TrueForAll(allocated, bytes => bytes == 0)
                ? null
                : $"bytes allocated on {measured} measured calls after {calls} warm-up calls ({quiet} quiet, {remeasured} measured again): {string.Join(", ", allocated)}";
        });

        Assert.True(failure is null, failure);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void SynchronousStepsWithAHeadAllocateNothing(int threads)
    {
        RecurrentNetwork network = ServingFixtures.Network("lstm-int8-projection");
        NetworkDescription d = network.Description;
        DenseHead head = BatcherHeadTests.Head(d.OutputSize, 1100, HeadActivation.Softmax, 3); // more classes than one packed block
        using var batcher = new StreamBatcher(network, new StreamBatcherOptions { MaxStreams = 8, MaxBatch = 3, Threads = threads, Head = head });
        StreamHandle[] handles = [batcher.Open(), batcher.Open(), batcher.Open(), batcher.Open()];
        float[] frames = ServingFixtures.RandomFloats(new Random(1), 4 * d.InputSize, 0.1f), outputs = new float[4 * head.OutputSize];
        AllocationAssert.AllocatesNothing(() =>
        {
            batcher.Step(handles[0], frames.AsSpan(0, d.InputSize), outputs.AsSpan(0, head.OutputSize));
            batcher.Step(handles, frames, outputs);
        });
    }
}

// xUnit1051: the steps' own tokens are what one test is about; CA2012: a ValueTask is held on
// purpose, to break its memory before the batch runs, and awaited exactly once.
#pragma warning disable xUnit1051, CA2012
using System;
using System.Buffers;
using System.Diagnostics.Metrics;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.Networks;
using FastRnn.Serving;
using FastRnn.Sessions;
using Xunit;

namespace FastRnn.Tests.Serving;

/// <summary>
/// What fails around a step fails only the call it belongs to, never the batching loop that serves
/// every stream: a caller's frame or output memory that cannot be read or written, a metrics
/// listener that throws; and a call cancelled by its token no longer holds its stream.
/// </summary>
[Collection(MetricsListeners.Name)]
public sealed class BatcherFailureTests
{
    private const int Input = 3, Hidden = 4;
    private static readonly RecurrentNetwork Network = ServingFixtures.Create(new NetworkDescription(CellKind.Gru, Input, Hidden), 41);

    [Fact]
    public async Task AFrameThatCannotBeReadFailsOnlyItsCallAndTheStreamStepsOnFromItsState()
    {
        using var batcher = new StreamBatcher(Network, new StreamBatcherOptions { MaxStreams = 4, MaxBatch = 4, MaxQueueDelay = TimeSpan.FromMilliseconds(300) });
        StreamHandle broken = batcher.Open(), healthy = batcher.Open();
        float[] frame = [0.5f, -1f, 0.25f], brokenOutput = new float[Hidden], healthyOutput = new float[Hidden];
        using var failing = new FailingMemory(frame);
        ValueTask lost = batcher.StepAsync(broken, failing.Memory, brokenOutput);
        ValueTask kept = batcher.StepAsync(healthy, frame, healthyOutput);
        failing.Fail = true; // before the batch (300 ms away) reads it
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await lost);
        await kept;

        // The stream with the unreadable frame did not step: its next frame is its first.
        float[] next = new float[Hidden];
        await batcher.StepAsync(broken, frame, next);
        ServingFixtures.AssertBitIdentical(OneStep(frame), next, "the first step applied to the stream whose frame failed");
        ServingFixtures.AssertBitIdentical(OneStep(frame), healthyOutput, "the other stream of the batch");
    }

    [Fact]
    public async Task AnOutputThatCannotBeWrittenFailsItsCallAfterTheStepWasApplied()
    {
        using var batcher = new StreamBatcher(Network, new StreamBatcherOptions { MaxStreams = 2, MaxBatch = 2, MaxQueueDelay = TimeSpan.FromMilliseconds(300) });
        StreamHandle stream = batcher.Open();
        float[] frame = [0.5f, -1f, 0.25f];
        using var failing = new FailingMemory(new float[Hidden]);
        ValueTask step = batcher.StepAsync(stream, frame, failing.Memory);
        failing.Fail = true;
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await step);

        float[] hidden = new float[Hidden];
        batcher.GetState(stream, hidden, default);
        ServingFixtures.AssertBitIdentical(OneStep(frame), hidden, "the state after the step whose output failed");
    }

    [Fact]
    public async Task AMetricsListenerThatThrowsFailsNoCallAndStopsNoLoop()
    {
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "FastRnn.Serving")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<int>((_, _, _, _) => throw new InvalidOperationException("listener failed"));
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => throw new InvalidOperationException("listener failed"));
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => throw new InvalidOperationException("listener failed"));
        listener.Start();

        using var batcher = new StreamBatcher(Network, new StreamBatcherOptions { MaxStreams = 2 });
        StreamHandle viaLoop = batcher.Open(), direct = batcher.Open();
        float[] frame = [0.5f, -1f, 0.25f], first = new float[Hidden], second = new float[Hidden], synchronous = new float[Hidden];
        await batcher.StepAsync(viaLoop, frame, first);
        await batcher.StepAsync(viaLoop, frame, second); // the loop survived the first
        batcher.Step(direct, frame, synchronous);

        float[] twoSteps = OneStep(frame, steps: 2);
        ServingFixtures.AssertBitIdentical(OneStep(frame), first, "first step through the loop");
        ServingFixtures.AssertBitIdentical(twoSteps, second, "second step through the loop");
        ServingFixtures.AssertBitIdentical(OneStep(frame), synchronous, "a synchronous step, reported as done and done once");
    }

    [Fact]
    public async Task ACancelledStepNoLongerHoldsItsStream()
    {
        using var batcher = new StreamBatcher(Network, new StreamBatcherOptions { MaxStreams = 2, MaxBatch = 2, MaxQueueDelay = TimeSpan.FromSeconds(1) });
        StreamHandle stream = batcher.Open();
        float[] frame = [0.5f, -1f, 0.25f], output = new float[Hidden];
        using var cancel = new CancellationTokenSource();
        ValueTask step = batcher.StepAsync(stream, frame, output, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await step);

        // At once, not after the queue delay: the cancelled call is not a step waiting on the stream.
        batcher.Step(stream, frame, output);
        ServingFixtures.AssertBitIdentical(OneStep(frame), output, "the first step applied after the cancelled one");
    }

    private static float[] OneStep(float[] frame, int steps = 1)
    {
        StreamingSession session = Network.CreateSession();
        float[] output = new float[Hidden];
        for (int i = 0; i < steps; i++)
        {
            session.Step(frame, 1, output);
        }

        return output;
    }

    // Memory whose span can be taken until Fail is set, then throws as a disposed owner would.
    private sealed class FailingMemory(float[] values) : MemoryManager<float>
    {
        public bool Fail { get; set; }

        public override Span<float> GetSpan() => Fail ? throw new ObjectDisposedException(nameof(FailingMemory)) : values;

        public override MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException();

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}

/// <summary>
/// A listener on the process-wide meter "FastRnn.Serving" sees every batcher's measurements: a test
/// that installs one runs alone, so no other test's batcher reports to it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsListeners
{
    public const string Name = "Metrics listeners (run alone)";
}

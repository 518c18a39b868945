// xUnit1051: the steps' own tokens are what these tests are about (CancellationToken.None where the
// batcher's pooled path is measured); CA2012: ValueTasks are held on purpose, to queue several steps
// before awaiting, each awaited exactly once.
#pragma warning disable xUnit1051, CA2012
using System;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.Networks;
using FastRnn.Serving;
using Xunit;

namespace FastRnn.Tests.Serving;

/// <summary>Streams ending: closing, idle timeouts, stale handles, full slots, cancellation and disposal.</summary>
public sealed class BatcherLifecycleTests
{
    private static readonly RecurrentNetwork Network = ServingFixtures.Create(new NetworkDescription(CellKind.Lstm, 3, 4), 31);

    [Fact]
    public async Task AStreamIdlePastTheTimeoutIsFreedAndTheNextCallSaysSo()
    {
        var clock = new ManualClock();
        using var batcher = new StreamBatcher(Network, new StreamBatcherOptions { MaxStreams = 4, IdleTimeout = TimeSpan.FromMinutes(5), TimeProvider = clock });
        StreamHandle idle = batcher.Open(), busy = batcher.Open(), idleAsync = batcher.Open();
        float[] output = new float[4];
        clock.Advance(TimeSpan.FromMinutes(3));
        batcher.Step(busy, new float[3], output);
        clock.Advance(TimeSpan.FromMinutes(3)); // idle streams: 6 minutes; busy: 3
        batcher.Step(busy, new float[3], output);

        var expired = Assert.Throws<StreamExpiredException>(() => batcher.Step(idle, new float[3], output));
        Assert.Contains("idle timeout (00:05:00)", expired.Message, StringComparison.Ordinal);
        Assert.Equal(idle, expired.Handle);
        Assert.Throws<StreamExpiredException>(() => batcher.Reset(idle)); // still says why, until the slot is reused
        Assert.False(batcher.Close(idle));

        await Assert.ThrowsAsync<StreamExpiredException>(async () => await batcher.StepAsync(idleAsync, new float[3], output));
        Assert.Equal(1, batcher.OpenStreams);
    }

    [Fact]
    public void ClosingAStreamIdlePastTheTimeoutSaysItHadEndedAsAStepWould()
    {
        // No sweep has run: the stream's slot is still marked open when Close comes.
        var clock = new ManualClock();
        using var batcher = new StreamBatcher(Network, new StreamBatcherOptions { MaxStreams = 2, IdleTimeout = TimeSpan.FromMinutes(5), TimeProvider = clock });
        StreamHandle idle = batcher.Open(), fresh = batcher.Open();
        clock.Advance(TimeSpan.FromMinutes(4));
        batcher.Step(fresh, new float[3], new float[4]);
        clock.Advance(TimeSpan.FromMinutes(2)); // idle: 6 minutes; fresh: 2
        Assert.False(batcher.Close(idle));
        Assert.Throws<StreamExpiredException>(() => batcher.Reset(idle)); // freed as expired, and still says so
        Assert.True(batcher.Close(fresh));
        Assert.Equal(0, batcher.OpenStreams);
    }

    [Fact]
    public void IsOpenSaysWhatAStepWouldFindAndFreesAnExpiredStream()
    {
        var clock = new ManualClock();
        using var batcher = new StreamBatcher(Network, new StreamBatcherOptions { MaxStreams = 3, IdleTimeout = TimeSpan.FromMinutes(5), TimeProvider = clock });
        StreamHandle idle = batcher.Open(), busy = batcher.Open(), closed = batcher.Open();
        Assert.True(batcher.Close(closed));
        clock.Advance(TimeSpan.FromMinutes(4));
        batcher.Step(busy, new float[3], new float[4]);
        Assert.True(batcher.IsOpen(idle)); // 4 minutes idle: still open
        Assert.Equal(2, batcher.OpenStreams);
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.False(batcher.IsOpen(idle));
        Assert.Equal(1, batcher.OpenStreams); // freed by the question, as a step would have
        Assert.Throws<StreamExpiredException>(() => batcher.Step(idle, new float[3], new float[4]));
        Assert.True(batcher.IsOpen(busy));
        Assert.False(batcher.IsOpen(closed));
        Assert.Throws<ArgumentException>(() => batcher.IsOpen(default));
    }

    [Fact]
    public void OpeningWithEveryoneOpenFreesIdleStreamsAndOtherwiseSaysWhy()
    {
        var clock = new ManualClock();
        using var batcher = new StreamBatcher(Network, new StreamBatcherOptions { MaxStreams = 2, MaxBatch = 2, IdleTimeout = TimeSpan.FromSeconds(10), TimeProvider = clock });
        StreamHandle first = batcher.Open();
        batcher.Open();
        var full = Assert.Throws<InvalidOperationException>(() => batcher.Open());
        Assert.Contains("All 2 stream slots", full.Message, StringComparison.Ordinal);
        Assert.Contains("MaxStreams", full.Message, StringComparison.Ordinal);

        clock.Advance(TimeSpan.FromSeconds(11));
        StreamHandle third = batcher.Open(); // both were idle: both freed, the oldest-freed slot reused
        Assert.Equal(1, batcher.OpenStreams);
        Assert.Throws<StreamClosedException>(() => batcher.Step(first, new float[3], new float[4]));
        batcher.Step(third, new float[3], new float[4]);
    }

    [Fact]
    public void CloseIdleStreamsFreesOnlyStreamsIdlePastTheTimeout()
    {
        var clock = new ManualClock();
        using var batcher = new StreamBatcher(Network, new StreamBatcherOptions { MaxStreams = 3, MaxBatch = 3, IdleTimeout = TimeSpan.FromSeconds(10), TimeProvider = clock });
        batcher.Open();
        clock.Advance(TimeSpan.FromSeconds(6));
        StreamHandle young = batcher.Open();
        clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(1, batcher.CloseIdleStreams());
        Assert.Equal(1, batcher.OpenStreams);
        batcher.Step(young, new float[3], new float[4]);
    }

    [Fact]
    public async Task AHandleOfAClosedOrReusedSlotIsRefused()
    {
        using var batcher = new StreamBatcher(Network, new StreamBatcherOptions { MaxStreams = 1, MaxBatch = 1 });
        StreamHandle old = batcher.Open();
        Assert.True(batcher.Close(old));
        var closed = Assert.Throws<StreamClosedException>(() => batcher.Step(old, new float[3], new float[4]));
        Assert.Contains("was closed", closed.Message, StringComparison.Ordinal);

        StreamHandle current = batcher.Open();
        Assert.Equal(old.Slot, current.Slot);
        Assert.NotEqual(old, current);
        var reused = Assert.Throws<StreamClosedException>(() => batcher.Step(old, new float[3], new float[4]));
        Assert.Contains("newer stream", reused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StreamClosedException>(async () => await batcher.StepAsync(old, new float[3], new float[4]));
        Assert.False(batcher.Close(old));
        batcher.Step(current, new float[3], new float[4]);

        Assert.Throws<ArgumentException>(() => batcher.Step(default(StreamHandle), new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => batcher.Close(default));
    }

    [Fact]
    public async Task ClosingAStreamFailsItsWaitingSteps()
    {
        using var batcher = new StreamBatcher(Network, new StreamBatcherOptions { MaxStreams = 2, MaxBatch = 2 });
        StreamHandle handle = batcher.Open();
        ValueTask waiting;
        lock (batcher.Gate)
        {
            waiting = batcher.StepAsync(handle, new float[3], new float[4]);
            Assert.True(batcher.Close(handle));
        }

        var error = await Assert.ThrowsAsync<StreamClosedException>(async () => await waiting);
        Assert.Contains("closed while this step was waiting", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACanceledStepIsNotAppliedAndOthersRun()
    {
        using var batcher = new StreamBatcher(Network, new StreamBatcherOptions { MaxStreams = 2, MaxBatch = 2 });
        StreamHandle canceled = batcher.Open(), other = batcher.Open();
        using var source = new CancellationTokenSource();
        ValueTask first, second;
        float[] output = new float[4];
        lock (batcher.Gate)
        {
            first = batcher.StepAsync(canceled, new float[] { 1, 2, 3 }, output, source.Token);
            second = batcher.StepAsync(other, new float[] { 1, 2, 3 }, new float[4], source.Token);
            source.Cancel();
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await first);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await second);
        float[] hidden = new float[4], cell = new float[4];
        batcher.GetState(canceled, hidden, cell);
        Assert.All(hidden, value => Assert.Equal(0f, value));
        Assert.All(cell, value => Assert.Equal(0f, value));

        // A token canceled before the call, and one never canceled.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await batcher.StepAsync(other, new float[3], new float[4], source.Token));
        using var live = new CancellationTokenSource();
        await batcher.StepAsync(canceled, new float[] { 1, 2, 3 }, output, live.Token);
        float[] expected = new float[4];
        Network.CreateSession().Step(new float[] { 1, 2, 3 }, 1, expected);
        ServingFixtures.AssertBitIdentical(expected, output, "the step after a canceled one");
    }

    [Fact]
    public async Task DisposeFinishesTheBatchInFlightAndFailsTheWaitingSteps()
    {
        var batcher = new StreamBatcher(Network, new StreamBatcherOptions { MaxStreams = 3, MaxBatch = 1 });
        StreamHandle a = batcher.Open(), b = batcher.Open();
        using var inBatch = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        batcher.ObserveBatch = _ =>
        {
            inBatch.Set();
            release.Wait();
        };

        float[] outputA = new float[4];
        ValueTask inFlight = batcher.StepAsync(a, new float[] { 1, 1, 1 }, outputA);
        Assert.True(inBatch.Wait(TimeSpan.FromSeconds(30)));
        ValueTask waiting = batcher.StepAsync(b, new float[3], new float[4]);
        var disposing = Task.Run(batcher.Dispose);
        await Task.Delay(50);
        Assert.False(disposing.IsCompleted, "Dispose returned while a batch was in flight");
        release.Set();
        await disposing.WaitAsync(TimeSpan.FromSeconds(30));

        await inFlight;
        float[] expected = new float[4];
        Network.CreateSession().Step(new float[] { 1, 1, 1 }, 1, expected);
        ServingFixtures.AssertBitIdentical(expected, outputA, "the step in flight during Dispose");
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await waiting);
        Assert.Throws<ObjectDisposedException>(() => batcher.Step(a, new float[3], new float[4]));
        Assert.Throws<ObjectDisposedException>(() => batcher.StepAsync(a, new float[3], new float[4]));
        Assert.Throws<ObjectDisposedException>(() => batcher.Open());
        batcher.Dispose();
    }

    [Fact]
    public void ADisposedBatcherSaysSoBeforeCheckingTheArguments()
    {
        // Disposal is checked first, as StepAsync and the core's sessions do: a wrong argument to a
        // disposed batcher would otherwise send the caller looking for a bad argument or a corrupt state.
        var batcher = new StreamBatcher(Network, new StreamBatcherOptions { MaxStreams = 2, MaxBatch = 1 });
        StreamHandle stream = batcher.Open();
        batcher.Dispose();

        Assert.Throws<ObjectDisposedException>(() => batcher.ImportState(new byte[3]));
        Assert.Throws<ObjectDisposedException>(() => batcher.ExportState(stream, new byte[3]));
        Assert.Throws<ObjectDisposedException>(() => batcher.GetState(stream, new float[3], new float[4]));
        Assert.Throws<ObjectDisposedException>(() => batcher.Open(new float[3], default));
        Assert.Throws<ObjectDisposedException>(() => batcher.Step(stream, new float[2], new float[4]));
        Assert.Throws<ObjectDisposedException>(() => batcher.Close(default));
        Assert.Throws<ObjectDisposedException>(() => batcher.WarmUp(TimeSpan.FromMinutes(2)));
    }
}

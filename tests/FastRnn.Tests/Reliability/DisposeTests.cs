using System;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.Layers;
using FastRnn.Memory;
using FastRnn.Networks;
using FastRnn.Serving;
using FastRnn.Sessions;
using FastRnn.Training;
using Xunit;

namespace FastRnn.Tests.Reliability;

/// <summary>
/// Dispose ends the worker threads of everything that owns them (sessions, workspaces, training
/// sessions and the stream batcher's session) and refuses later calls by name; a dispose during a
/// call refuses new calls at once and waits for that call to return; a stop during a run never
/// leaves the run waiting for a worker that left.
/// </summary>
public sealed class DisposeTests
{
    // Every step of this network is split between two threads (at least 2 x 128 Ki multiply-adds a step).
    internal static readonly RecurrentNetwork Large = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, 48, 280), 3);

    internal static readonly TimeSpan Ending = TimeSpan.FromSeconds(10);

    [Fact]
    public void StoppedPartsEndTheirWorkersAndRefuseTheNextRun()
    {
        var parts = new ParallelParts(3);
        int ran = 0;
        parts.Run(_ => Interlocked.Increment(ref ran), 3);
        Assert.True(parts.HasStartedWorkers);

        parts.Stop();
        parts.Stop();

        Assert.True(parts.WaitForWorkersToEnd(Ending), "a worker was still running 10 s after Stop");
        Assert.Equal(3, ran);
        Assert.Throws<ObjectDisposedException>(() => parts.Run(_ => Interlocked.Increment(ref ran), 2));
        Assert.Equal(3, ran);
    }

    [Fact]
    public void AStopDuringARunStillRunsEveryPartOfIt()
    {
        var parts = new ParallelParts(2);
        parts.Run(_ => { }, 2);
        Thread.Sleep(5 + (ParallelParts.SpinMicroseconds / 1000)); // the worker is past its spin, asleep
        int[] ran = new int[2];

        // The caller's part stops the parts while the worker is still waking for its own: it must run
        // it, or the call waits for it forever. Bounded, so a regression fails instead of hanging.
        var run = new Thread(() => parts.Run(
            i =>
            {
                if (i == 0)
                {
                    parts.Stop();
                }

                ran[i] = 1;
            },
            2)) { IsBackground = true };
        run.Start();

        Assert.True(run.Join(Ending), "the run never finished: a worker left without running its part");
        Assert.Equal([1, 1], ran);
        Assert.True(parts.WaitForWorkersToEnd(Ending));
    }

    [Fact]
    public void ADisposedSessionEndsItsWorkersAndRefusesEveryCall()
    {
        StreamingSession session = Large.CreateSession(threads: 2);
        NetworkDescription d = session.Description;
        float[] x = new float[d.InputSize], y = new float[d.StateSize];
        float[] h = new float[d.NumLayers * d.StateSize], c = new float[d.NumLayers * d.HiddenSize];
        session.Step(x, 1, y);
        ParallelParts workers = session.Workers ?? throw new InvalidOperationException("the test network's step is not split");
        Assert.True(workers.HasStartedWorkers);

        session.Dispose();
        session.Dispose();

        Assert.True(workers.WaitForWorkersToEnd(Ending), "a worker was still running 10 s after Dispose");
        ObjectDisposedException e = Assert.Throws<ObjectDisposedException>(() => session.Step(x, 1, y));
        Assert.Contains("StreamingSession", e.Message, StringComparison.Ordinal);
        Assert.Throws<ObjectDisposedException>(session.Reset);
        Assert.Throws<ObjectDisposedException>(() => session.SetState(h, c, 1));
        Assert.Throws<ObjectDisposedException>(() => session.GetState(h, c, 1));
    }

    [Fact]
    public void ADisposeDuringACallRefusesNewCallsAndWaitsForThatCall()
    {
        StreamingSession session = Large.CreateSession(threads: 2);
        NetworkDescription d = session.Description;
        float[] x = new float[d.InputSize], y = new float[d.StateSize];
        session.Step(x, 1, y);
        ParallelParts workers = session.Workers!;

        session.Enter(); // a call in progress on this thread
        var disposer = new Thread(session.Dispose) { IsBackground = true };
        disposer.Start();
        Thread.Sleep(50);
        Assert.True(disposer.IsAlive, "Dispose returned while a call was running");
        Assert.False(workers.WaitForWorkersToEnd(TimeSpan.Zero), "Dispose ended the workers under a running call");
        Assert.Throws<ObjectDisposedException>(() => session.Step(x, 1, y)); // refused at once, not 'in use'
        session.Exit();

        Assert.True(disposer.Join(Ending), "Dispose did not return after the call did");
        Assert.True(workers.WaitForWorkersToEnd(Ending), "the call returned, but its workers did not end");
        Assert.Throws<ObjectDisposedException>(() => session.Step(x, 1, y));
    }

    [Fact]
    public void ASecondConcurrentCallIsStillRefusedAsInUseNotDisposed()
    {
        using StreamingSession session = Large.CreateSession(threads: 2);
        NetworkDescription d = session.Description;
        session.Enter();
        try
        {
            Assert.Throws<InvalidOperationException>(() => session.Step(new float[d.InputSize], 1, new float[d.StateSize]));
        }
        finally
        {
            session.Exit();
        }

        session.Step(new float[d.InputSize], 1, new float[d.StateSize]);
    }

    [Fact]
    public void ADisposedWorkspaceEndsItsWorkersAndRefusesTheNextForward()
    {
        SequenceWorkspace workspace = Large.CreateWorkspace(maxBatch: 2, maxSteps: 3, threads: 2);
        NetworkDescription d = Large.Description;
        float[] input = new float[3 * 2 * d.InputSize], output = new float[3 * 2 * d.OutputSize];
        Large.Forward(workspace, input, 3, 2, output);
        ParallelParts workers = workspace.Runner.Region.Workers;
        Assert.True(workers.HasStartedWorkers);

        workspace.Dispose();

        Assert.True(workers.WaitForWorkersToEnd(Ending), "a worker was still running 10 s after Dispose");
        ObjectDisposedException e = Assert.Throws<ObjectDisposedException>(() => Large.Forward(workspace, input, 3, 2, output));
        Assert.Contains("SequenceWorkspace", e.Message, StringComparison.Ordinal);
        Assert.Throws<ObjectDisposedException>(() => Large.Forward(workspace, new float[1], 3, 2, output)); // before the input's length is checked
    }

    [Fact]
    public void ADisposedTrainingSessionEndsItsWorkersAndRefusesTheNextCall()
    {
        var session = new TrainingSession(Large, maxBatch: 2, maxSteps: 3, threads: 2);
        NetworkDescription d = Large.Description;
        float[] input = new float[3 * 2 * d.InputSize], output = new float[3 * 2 * d.OutputSize];
        session.Forward(input, 3, 2, output);
        var gradients = new GradientBuffer(Large);
        session.Backward(output, gradients);
        ParallelParts workers = session.Workers;
        Assert.True(workers.HasStartedWorkers);

        session.Dispose();

        Assert.True(workers.WaitForWorkersToEnd(Ending), "a worker was still running 10 s after Dispose");
        Assert.Throws<ObjectDisposedException>(() => session.Forward(input, 3, 2, output));
        Assert.Throws<ObjectDisposedException>(() => session.Backward(output, gradients));
    }

    [Fact]
    public void ADisposedBatcherEndsItsStepsWorkers()
    {
        var batcher = new StreamBatcher(Large, new StreamBatcherOptions { MaxStreams = 2, MaxBatch = 2, Threads = 2 });
        NetworkDescription d = Large.Description;
        StreamHandle stream = batcher.Open();
        batcher.Step(stream, new float[d.InputSize], new float[d.StateSize]);
        ParallelParts workers = batcher.Session.Workers!;
        Assert.True(workers.HasStartedWorkers);

        batcher.Dispose();

        Assert.True(workers.WaitForWorkersToEnd(Ending), "the batcher's step workers were still running 10 s after Dispose");
        Assert.Throws<ObjectDisposedException>(() => batcher.Step(stream, new float[d.InputSize], new float[d.StateSize]));
    }

    [Fact]
    public async Task TwoDisposesAtOnceBothReturnOnlyOnceTheBatcherIsDisposed()
    {
        NetworkDescription d = Large.Description;
        for (int round = 0; round < 20; round++)
        {
            var batcher = new StreamBatcher(Large, new StreamBatcherOptions { MaxStreams = 2, MaxBatch = 2, Threads = 2 });
            StreamHandle stream = batcher.Open();
            await batcher.StepAsync(stream, new float[d.InputSize], new float[d.StateSize], TestContext.Current.CancellationToken); // the loop runs
            StreamingSession session = batcher.Session;
            using var start = new Barrier(2);
            string?[] seen = new string?[2];
            var threads = new Thread[2];
            for (int t = 0; t < 2; t++)
            {
                int me = t;
                threads[t] = new Thread(() =>
                {
                    start.SignalAndWait();
                    batcher.Dispose();
                    try
                    {
                        session.Step(new float[d.InputSize], 1, new float[d.StateSize]);
                        seen[me] = "the session still stepped after Dispose returned";
                    }
                    catch (ObjectDisposedException)
                    {
                    }
                    catch (InvalidOperationException e)
                    {
                        seen[me] = "the session was still in use after Dispose returned: " + e.Message;
                    }
                }) { IsBackground = true };
                threads[t].Start();
            }

            foreach (Thread thread in threads)
            {
                Assert.True(thread.Join(Ending), $"round {round}: a Dispose hung");
            }

            Assert.Null(seen[0]);
            Assert.Null(seen[1]);
        }
    }
}

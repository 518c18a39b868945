using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.Layers;
using FastRnn.Memory;
using FastRnn.Networks;
using FastRnn.Serving;
using FastRnn.Sessions;
using FastRnn.Training;
using Xunit;
using static FastRnn.Tests.Reliability.DisposeTests;

namespace FastRnn.Tests.Reliability;

/// <summary>
/// Dispose against calls in flight: a session, a training session or a batcher disposed while
/// other threads keep calling it never hangs, fails those calls only with
/// <see cref="ObjectDisposedException"/> (before any argument check), and its workers end; parts
/// with more threads than cores (which never spin) end too.
/// </summary>
public sealed class DisposeRaceTests
{
    [Fact]
    public void DisposeRacingStepsNeverHangsAndOnlyThrowsDisposed()
    {
        var random = new Random(1);
        for (int round = 0; round < 60; round++)
        {
            StreamingSession session = Large.CreateSession(threads: 2);
            NetworkDescription d = session.Description;
            float[] x = new float[d.InputSize], y = new float[d.StateSize];
            session.Step(x, 1, y);
            DisposeWhileCalling(() => session.Step(x, 1, y), session, session.Workers!, random, round);
        }
    }

    [Fact]
    public void DisposeRacingTrainingNeverHangsAndOnlyThrowsDisposed()
    {
        var random = new Random(2);
        NetworkDescription d = Large.Description;
        for (int round = 0; round < 30; round++)
        {
            var session = new TrainingSession(Large, maxBatch: 2, maxSteps: 3, threads: 2);
            float[] input = new float[3 * 2 * d.InputSize], output = new float[3 * 2 * d.OutputSize];
            var gradients = new GradientBuffer(Large);
            session.Forward(input, 3, 2, output);
            DisposeWhileCalling(
                () =>
                {
                    session.Forward(input, 3, 2, output);
                    session.Backward(output, gradients);
                },
                session,
                session.Workers,
                random,
                round);
        }
    }

    // Calls `call` in a loop on another thread, disposes `owner` a random 0-2 ms in: the loop must end
    // with ObjectDisposedException, not hang or fail otherwise, and the owner's workers must end.
    private static void DisposeWhileCalling(Action call, IDisposable owner, ParallelParts workers, Random random, int round)
    {
        Exception? seen = null;
        var caller = new Thread(() =>
        {
            try
            {
                while (true)
                {
                    call();
                }
            }
            catch (Exception e)
            {
                seen = e;
            }
        }) { IsBackground = true };
        caller.Start();
        Thread.Sleep(random.Next(0, 3));
        owner.Dispose();
        Assert.True(caller.Join(Ending), $"round {round}: the calling thread hung");
        Assert.True(seen is ObjectDisposedException, $"round {round}: {seen}");
        Assert.True(workers.WaitForWorkersToEnd(Ending), $"round {round}: workers still running");
    }

    [Fact]
    public void DisposedTrainingSessionBackwardWithoutForwardThrowsDisposed()
    {
        var session = new TrainingSession(Large, maxBatch: 2, maxSteps: 3, threads: 2);
        NetworkDescription d = Large.Description;
        session.Dispose();
        Assert.Throws<ObjectDisposedException>(() => session.Backward(new float[3 * 2 * d.OutputSize], new GradientBuffer(Large)));
    }

    [Fact]
    public void DisposedSessionStepWithWrongArgumentsThrowsDisposed()
    {
        StreamingSession session = Large.CreateSession(threads: 2);
        session.Dispose();
        Assert.Throws<ObjectDisposedException>(() => session.Step(new float[1], 1, new float[1]));
    }

    [Fact]
    public void ThreeStoppedPartsOnTwoCoresEnd()
    {
        for (int round = 0; round < 50; round++)
        {
            var parts = new ParallelParts(Environment.ProcessorCount + 1); // spin = false
            int ran = 0;
            parts.Run(_ => Interlocked.Increment(ref ran), parts.Count);
            if (round % 2 == 0)
            {
                Thread.Sleep(1);
            }

            parts.Stop();
            Assert.True(parts.WaitForWorkersToEnd(Ending));
        }
    }

    [Fact]
    public async Task BatcherDisposedUnderAsyncLoadFailsOnlyWithDisposedAndEndsWorkers()
    {
        NetworkDescription d = Large.Description;
        for (int round = 0; round < 10; round++)
        {
            var batcher = new StreamBatcher(Large, new StreamBatcherOptions { MaxStreams = 5, MaxBatch = 4, Threads = 2 });
            var handles = new StreamHandle[4];
            for (int i = 0; i < 4; i++)
            {
                handles[i] = batcher.Open();
            }

            batcher.Step(handles[0], new float[d.InputSize], new float[d.StateSize]);
            ParallelParts workers = batcher.Session.Workers!;
            var tasks = new List<Task<Exception?>>();
            for (int i = 0; i < 4; i++)
            {
                StreamHandle h = handles[i];
                tasks.Add(Task.Run<Exception?>(async () =>
                {
                    float[] frame = new float[d.InputSize], output = new float[d.StateSize];
                    try
                    {
                        while (true)
                        {
                            await batcher.StepAsync(h, frame, output);
                        }
                    }
                    catch (Exception e)
                    {
                        return e;
                    }
                }));
            }

            tasks.Add(Task.Run(() =>
            {
                float[] frame = new float[d.InputSize], output = new float[d.StateSize];
                try
                {
                    while (true)
                    {
                        batcher.WarmUp(TimeSpan.Zero);
                        batcher.CloseIdleStreams();
                        StreamHandle h = batcher.Open();
                        batcher.ExportState(h);
                        batcher.Close(h);
                    }
                }
                catch (Exception e)
                {
                    return (Exception?)e;
                }
            }));

            await Task.Delay(20, TestContext.Current.CancellationToken);
            batcher.Dispose();
            foreach (Task<Exception?> t in tasks)
            {
                Exception? e = await t.WaitAsync(Ending, TestContext.Current.CancellationToken);
                Assert.True(e is ObjectDisposedException ode && ode.ObjectName.EndsWith(nameof(StreamBatcher), StringComparison.Ordinal), $"round {round}: {e}");
            }

            Assert.True(workers.WaitForWorkersToEnd(Ending));
        }
    }
}

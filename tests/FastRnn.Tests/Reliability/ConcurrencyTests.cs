using System;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.Layers;
using FastRnn.Networks;
using FastRnn.Sessions;
using FastRnn.Training;
using Xunit;

namespace FastRnn.Tests.Reliability;

/// <summary>
/// One shared network serves many threads at once, each with its own session or workspace, with
/// results bit-identical to a single-threaded run; one session used by two callers at once is refused.
/// </summary>
public sealed class ConcurrencyTests
{
    private const int Input = 8, Hidden = 32, Steps = 2000;

    [Theory]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void ThreadsWithTheirOwnSessionsMatchASingleThreadedRunBitForBit(CellKind kind)
    {
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(kind, Input, Hidden) { NumLayers = 2 }, 11);
        int threads = 2 * Environment.ProcessorCount;
        float[][] expected = new float[threads][];
        for (int t = 0; t < threads; t++)
        {
            expected[t] = RunStream(network, seed: t);
        }

        float[][] actual = new float[threads][];
        using var start = new Barrier(threads);
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            start.SignalAndWait();
            actual[t] = RunStream(network, seed: t);
        });

        for (int t = 0; t < threads; t++)
        {
            Assert.True(expected[t].AsSpan().SequenceEqual(actual[t]), $"thread {t} of {threads} differs from the single-threaded run");
        }
    }

    [Fact]
    public void ThreadsWithTheirOwnWorkspacesMatchASingleThreadedRunBitForBit()
    {
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, Input, Hidden) { Bidirectional = true }, 12);
        int threads = 2 * Environment.ProcessorCount;
        float[][] expected = new float[threads][];
        for (int t = 0; t < threads; t++)
        {
            expected[t] = RunSequences(network, seed: t);
        }

        float[][] actual = new float[threads][];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => actual[t] = RunSequences(network, seed: t));
        for (int t = 0; t < threads; t++)
        {
            Assert.True(expected[t].AsSpan().SequenceEqual(actual[t]), $"thread {t} of {threads} differs from the single-threaded run");
        }
    }

    [Fact]
    public void ASessionInUseByAnotherCallerIsRefusedNotCorrupted()
    {
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, Input, Hidden), 13);
        StreamingSession session = network.CreateSession();
        float[] x = new float[Input], h = new float[Hidden], c = new float[Hidden];

        // The test holds the session exactly as a running Step does, so the overlap is certain, not a race.
        session.Enter();
        try
        {
            foreach (Action call in new Action[] { () => session.Step(x, 1, h), () => session.Reset(), () => session.SetState(h, c, 1), () => session.GetState(h, c, 1) })
            {
                InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => Task.Run(call, TestContext.Current.CancellationToken).GetAwaiter().GetResult());
                Assert.Contains("already in use", e.Message, StringComparison.Ordinal);
            }
        }
        finally
        {
            session.Exit();
        }

        session.Step(x, 1, h); // free again once the holder leaves
    }

    [Fact]
    public void AWorkspaceOrTrainingSessionInUseByAnotherCallerIsRefused()
    {
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Gru, Input, Hidden), 14);
        SequenceWorkspace workspace = network.CreateWorkspace(1, 2);
        var training = new TrainingSession(network, 1, 2);
        float[] x = new float[2 * Input], y = new float[2 * Hidden];
        workspace.Enter();
        training.Enter();
        try
        {
            Assert.Contains("already in use", Assert.Throws<InvalidOperationException>(() => Task.Run(() => network.Forward(workspace, x, 2, 1, y), TestContext.Current.CancellationToken).GetAwaiter().GetResult()).Message, StringComparison.Ordinal);
            Assert.Contains("already in use", Assert.Throws<InvalidOperationException>(() => Task.Run(() => training.Forward(x, 2, 1, y), TestContext.Current.CancellationToken).GetAwaiter().GetResult()).Message, StringComparison.Ordinal);
        }
        finally
        {
            workspace.Exit();
            training.Exit();
        }

        network.Forward(workspace, x, 2, 1, y);
        training.Forward(x, 2, 1, y);
    }

    /// <summary>Steps a session through a stream of its own inputs, returning every output.</summary>
    private static float[] RunStream(RecurrentNetwork network, int seed)
    {
        var random = new Random(seed);
        StreamingSession session = network.CreateSession();
        float[] x = new float[Input];
        float[] outputs = new float[Steps * Hidden];
        for (int step = 0; step < Steps; step++)
        {
            for (int i = 0; i < Input; i++)
            {
                x[i] = (float)((random.NextDouble() * 4) - 2);
            }

            session.Step(x, 1, outputs.AsSpan(step * Hidden, Hidden));
            if (step % 500 == 499)
            {
                session.Reset();
            }
        }

        return outputs;
    }

    private static float[] RunSequences(RecurrentNetwork network, int seed)
    {
        const int steps = 20, batch = 3, calls = 100;
        var random = new Random(seed);
        SequenceWorkspace workspace = network.CreateWorkspace(batch, steps);
        float[] x = new float[steps * batch * Input];
        float[] outputs = new float[calls * steps * batch * 2 * Hidden];
        int[] lengths = new int[batch];
        for (int call = 0; call < calls; call++)
        {
            for (int i = 0; i < x.Length; i++)
            {
                x[i] = (float)((random.NextDouble() * 4) - 2);
            }

            for (int b = 0; b < batch; b++)
            {
                lengths[b] = 1 + random.Next(steps);
            }

            network.Forward(workspace, x, steps, batch, outputs.AsSpan(call * steps * batch * 2 * Hidden, steps * batch * 2 * Hidden), lengths: lengths);
        }

        return outputs;
    }
}

using System;
using System.Threading.Tasks;
using FastRnn.Networks;
using FastRnn.Sessions;
using FastRnn.Tests.Reference;
using FsCheck.Xunit;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// Consistency of the ways to run a network: a sequence equals its steps fed through a session,
/// a batch equals its rows run one by one, and threads do not change results, with float32 and int8
/// weights. Row results are bit-identical by construction (every kernel sums in the same order for
/// every row; the int8 kernel's integer sums are exact), so these compare exactly.
/// </summary>
public sealed class SessionAndBatchTests
{
    [Property(MaxTest = 60, Arbitrary = [typeof(UnidirectionalNetworkArbitraries)])]
    public bool SequenceEqualsSessionSteps(RandomProblem p, bool quantized)
    {
        ReferenceConfig c = p.Config with { BatchFirst = false };
        var random = new Random(p.Seed);
        RecurrentNetwork network = WithFormat(NetworkFactory.Build(c, NetworkFactory.RandomWeights(c, random, 0.6)), quantized);
        NetworkDescription d = network.Description;
        float[] input = NetworkFactory.ToFloat(NetworkFactory.RandomFloats(random, p.Steps * p.Batch * c.InputSize, 1.5))!;
        float[]? h0 = p.WithInitialState ? NetworkFactory.ToFloat(NetworkFactory.RandomFloats(random, c.NumLayers * p.Batch * c.OutputHidden, 1.0)) : null;
        float[]? c0 = p.WithInitialState && c.IsLstm ? NetworkFactory.ToFloat(NetworkFactory.RandomFloats(random, c.NumLayers * p.Batch * c.HiddenSize, 1.0)) : null;

        (float[] output, float[] hn, float[]? cn) = NetworkFactory.Forward(network, input, p.Steps, p.Batch, h0, c0, null);

        StreamingSession session = network.CreateSession(p.Batch);
        if (h0 is not null)
        {
            session.SetState(h0, c0, p.Batch);
        }

        int rowFloats = p.Batch * d.StateSize;
        float[] step = new float[rowFloats];
        for (int t = 0; t < p.Steps; t++)
        {
            session.Step(input.AsSpan(t * p.Batch * c.InputSize, p.Batch * c.InputSize), p.Batch, step);
            if (!step.AsSpan().SequenceEqual(output.AsSpan(t * rowFloats, rowFloats)))
            {
                return false;
            }
        }

        float[] sessionH = new float[hn.Length];
        float[] sessionC = new float[cn?.Length ?? 0];
        session.GetState(sessionH, sessionC, p.Batch);
        return sessionH.AsSpan().SequenceEqual(hn) && (cn is null || sessionC.AsSpan().SequenceEqual(cn));
    }

    [Property(MaxTest = 60, Arbitrary = [typeof(NetworkArbitraries)])]
    public bool BatchEqualsRowsOneByOne(RandomProblem p, bool quantized)
    {
        ReferenceConfig c = p.Config with { BatchFirst = true };
        var random = new Random(p.Seed);
        RecurrentNetwork network = WithFormat(NetworkFactory.Build(c, NetworkFactory.RandomWeights(c, random, 0.6)), quantized);
        NetworkDescription d = network.Description;
        int rowIn = p.Steps * c.InputSize, rowOut = p.Steps * d.OutputSize;
        float[] input = NetworkFactory.ToFloat(NetworkFactory.RandomFloats(random, p.Batch * rowIn, 1.5))!;
        int[] lengths = new int[p.Batch];
        for (int b = 0; b < p.Batch; b++)
        {
            lengths[b] = p.WithLengths ? 1 + random.Next(p.Steps) : p.Steps;
        }

        (float[] output, float[] hn, _) = NetworkFactory.Forward(network, input, p.Steps, p.Batch, null, null, lengths);
        int slots = c.NumLayers * c.Directions;
        for (int b = 0; b < p.Batch; b++)
        {
            (float[] one, float[] oneH, _) = NetworkFactory.Forward(network, input.AsSpan(b * rowIn, rowIn).ToArray(), p.Steps, 1, null, null, [lengths[b]]);
            if (!one.AsSpan(0, lengths[b] * d.OutputSize).SequenceEqual(output.AsSpan(b * rowOut, lengths[b] * d.OutputSize)))
            {
                return false;
            }

            for (int s = 0; s < slots; s++)
            {
                if (!oneH.AsSpan(s * d.StateSize, d.StateSize).SequenceEqual(hn.AsSpan(((s * p.Batch) + b) * d.StateSize, d.StateSize)))
                {
                    return false;
                }
            }
        }

        return true;
    }

    // Time-major rows that all run every step are read and written where the caller keeps them; any
    // other call copies them through the workspace (batch-first, or an output that is the input). Both
    // must give the same bits.
    [Property(MaxTest = 60, Arbitrary = [typeof(NetworkArbitraries)])]
    public bool CallerRowsInPlaceEqualRowsCopied(RandomProblem p)
    {
        ReferenceConfig timeMajor = p.Config with { BatchFirst = false };
        var random = new Random(p.Seed);
        var weights = NetworkFactory.RandomWeights(timeMajor, random, 0.6);
        RecurrentNetwork network = NetworkFactory.Build(timeMajor, weights);
        RecurrentNetwork batchFirst = NetworkFactory.Build(timeMajor with { BatchFirst = true }, weights);
        int steps = p.Steps, batch = p.Batch, inputSize = timeMajor.InputSize, outputSize = network.Description.OutputSize;
        float[] input = NetworkFactory.ToFloat(NetworkFactory.RandomFloats(random, steps * batch * inputSize, 1.5))!;

        (float[] output, float[] hn, float[]? cn) = NetworkFactory.Forward(network, input, steps, batch, null, null, null, p.Threads);
        (float[] copied, float[] copiedH, float[]? copiedC) = NetworkFactory.Forward(batchFirst, Transpose(input, steps, batch, inputSize), steps, batch, null, null, null, p.Threads);
        bool same = Transpose(copied, batch, steps, outputSize).AsSpan().SequenceEqual(output)
            && copiedH.AsSpan().SequenceEqual(hn) && (cn is null || copiedC.AsSpan().SequenceEqual(cn));
        if (inputSize == outputSize)
        {
            float[] x = (float[])input.Clone();
            network.Forward(network.CreateWorkspace(batch, steps, p.Threads), x, steps, batch, x);
            same &= x.AsSpan().SequenceEqual(output);
        }

        return same;
    }

    [Fact]
    public void ManyThreadsEachWithASessionMatchOneThread()
    {
        var description = new NetworkDescription(CellKind.Lstm, 12, 40) { NumLayers = 2 };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, 3);
        const int threads = 4, steps = 200;
        float[][] expected = new float[threads][];
        float[][] actual = new float[threads][];
        for (int i = 0; i < threads; i++)
        {
            expected[i] = RunStream(network, i, steps);
        }

        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, i => actual[i] = RunStream(network, i, steps));
        for (int i = 0; i < threads; i++)
        {
            Assert.Equal(expected[i], actual[i]);
        }
    }

    [Fact]
    public void BidirectionalNetworksRefuseStreamingWithAReason()
    {
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Gru, 3, 4) { Bidirectional = true }, 1);
        var ex = Assert.Throws<NotSupportedException>(() => network.CreateSession());
        Assert.Contains("bidirectional", ex.Message, StringComparison.Ordinal);
    }

    // [rows, columns, size] -> [columns, rows, size]
    private static float[] Transpose(float[] values, int rows, int columns, int size)
    {
        float[] result = new float[values.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int k = 0; k < columns; k++)
            {
                values.AsSpan(((r * columns) + k) * size, size).CopyTo(result.AsSpan(((k * rows) + r) * size));
            }
        }

        return result;
    }

    private static float[] RunStream(RecurrentNetwork network, int stream, int steps)
    {
        StreamingSession session = network.CreateSession();
        var random = new Random(stream);
        float[] x = new float[network.Description.InputSize];
        float[] y = new float[network.Description.StateSize];
        float[] all = new float[steps * y.Length];
        for (int t = 0; t < steps; t++)
        {
            for (int i = 0; i < x.Length; i++)
            {
                x[i] = (float)((random.NextDouble() * 2) - 1);
            }

            session.Step(x, 1, y);
            y.CopyTo(all, t * y.Length);
        }

        return all;
    }

    // int8 networks run the integer kernel, whose row results are bit-identical by construction too.
    private static RecurrentNetwork WithFormat(RecurrentNetwork network, bool quantized) =>
        quantized ? network.WithWeightFormat(WeightFormat.Int8) : network;
}

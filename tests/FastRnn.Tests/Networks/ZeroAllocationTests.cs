using System;
using FastRnn.Kernels;
using FastRnn.Memory;
using FastRnn.Networks;
using FastRnn.Sessions;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>Warmed-up kernels, sequence forward passes and session steps allocate nothing.</summary>
public sealed class ZeroAllocationTests
{
    [Fact]
    public void KernelsAllocateNothing()
    {
        var random = new Random(1);
        const int units = 33, columns = 29, batch = 5;
        float[] w = new float[4 * units * columns];
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = (float)random.NextDouble();
        }

        PackedMatrix packed = PackedMatrix.Pack(w, 4, units, columns);
        PackedMatrix int8 = PackedMatrix.Pack(w, 4, units, columns, WeightFormat.Int8);
        const int longColumns = 600; // three chunks of the integer kernel
        float[] wLong = new float[units * longColumns];
        wLong.AsSpan().Fill(0.25f);
        PackedMatrix int8Long = PackedMatrix.Pack(wLong, 1, units, longColumns, WeightFormat.Int8);
        float[] xLong = new float[batch * longColumns];
        xLong.AsSpan().Fill(0.5f);
        xLong[longColumns + 3] = float.NaN; // one row by the float path
        float[] yLong = new float[batch * int8Long.PaddedRows];
        int hp = packed.PaddedUnits;
        float[] x = new float[batch * columns];
        float[] gates = new float[batch * packed.PaddedRows];
        float[] hidden = new float[batch * 3 * hp];
        float[] bias = new float[packed.PaddedRows];
        float[] peephole = new float[3 * hp];
        float[] c = new float[batch * hp];
        float[] h = new float[batch * hp];
        float[] scratch = new float[batch * hp];

        void Run()
        {
            PackedMatMul.MultiplyAdd(packed, x, columns, batch, gates, packed.PaddedRows);
            PackedMatMul.MultiplyAdd(packed, x, columns, 1, gates, packed.PaddedRows);
            PackedMatMul.MultiplyAdd(int8, x, columns, batch, gates, int8.PaddedRows);
            PackedMatMul.MultiplyAdd(int8, x, columns, 1, gates, int8.PaddedRows);
            PackedMatMul.MultiplyAdd(int8Long, xLong, longColumns, batch, yLong, int8Long.PaddedRows);
            PackedMatMul.MultiplyAddPanels(int8Long, 0, int8Long.Panels, xLong, longColumns, batch, yLong, int8Long.PaddedRows);
            Activations.Apply(Activations.Kind.Sigmoid, x, x);
            Activations.Apply(Activations.Kind.Tanh, x, x);
            Activations.Apply(Activations.Kind.Relu, x, x);
            LstmEpilogue.Forward(gates, bias, peephole, c, c, h, batch, hp);
            GruEpilogue.Forward(gates, hidden, default, default, h, h, batch, hp);
            GruResetBeforeEpilogue.Gates(gates, hidden, default, default, h, scratch, batch, hp);
            GruResetBeforeEpilogue.State(gates, scratch, hp, default, default, h, h, batch, hp);
            RnnEpilogue.Forward(h, hp, default, h, batch, RnnActivation.Tanh);
        }

        AssertNoAllocation(Run);
    }

    [Theory]
    [InlineData(CellKind.Lstm, CellVariant.Standard, 0)]
    [InlineData(CellKind.Lstm, CellVariant.Peephole, 0)]
    [InlineData(CellKind.Lstm, CellVariant.Standard, 7)]
    [InlineData(CellKind.Gru, CellVariant.Standard, 0)]
    [InlineData(CellKind.Gru, CellVariant.ResetBefore, 0)]
    [InlineData(CellKind.RnnTanh, CellVariant.Standard, 0)]
    [InlineData(CellKind.RnnRelu, CellVariant.Standard, 0)]
    [InlineData(CellKind.Lstm, CellVariant.Peephole, 0, "HardSigmoid(0.2,0.5);Elu(1);Softplus")]
    [InlineData(CellKind.Gru, CellVariant.ResetBefore, 0, "Softsign;ScaledTanh(1.5,0.5)")]
    [InlineData(CellKind.RnnTanh, CellVariant.Standard, 0, "LeakyRelu(0.1)")]
    public void SequenceForwardAndSessionStepsAllocateNothing(CellKind kind, CellVariant variant, int projection, string? onnxActivations = null)
    {
        var description = new NetworkDescription(kind, 10, 21) { Variant = variant, ProjectionSize = projection, NumLayers = 2 };
        if (onnxActivations is not null)
        {
            description = description with { Activations = CellActivations.FromOnnxOrder(kind, Array.ConvertAll(onnxActivations.Split(';'), Activation.Parse)) };
        }

        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, 5);
        RecurrentNetwork bidirectional = RecurrentNetwork.CreateRandom(description with { Bidirectional = true, BatchFirst = true }, 6);
        const int steps = 9, batch = 3;
        SequenceWorkspace workspace = network.CreateWorkspace(batch, steps);
        SequenceWorkspace biWorkspace = bidirectional.CreateWorkspace(batch, steps);
        StreamingSession session = network.CreateSession(batch);
        float[] input = new float[steps * batch * 10];
        float[] output = new float[steps * batch * description.StateSize];
        float[] biOutput = new float[steps * batch * 2 * description.StateSize];
        float[] hn = new float[2 * batch * description.StateSize];
        float[] biHn = new float[4 * batch * description.StateSize];
        float[] step = new float[batch * description.StateSize];
        int[] lengths = [9, 4, 6];

        void Run()
        {
            network.Forward(workspace, input, steps, batch, output, hn);
            bidirectional.Forward(biWorkspace, input, steps, batch, biOutput, biHn, lengths: lengths);
            session.Step(input.AsSpan(0, batch * 10), batch, step);
            session.Reset();
        }

        AssertNoAllocation(Run);
    }

    [Theory]
    [InlineData(CellKind.Lstm, WeightFormat.Int8)]
    [InlineData(CellKind.Gru, WeightFormat.Int8)]
    [InlineData(CellKind.Lstm, WeightFormat.BFloat16)]
    public void ReducedPrecisionForwardAndSessionStepsAllocateNothing(CellKind kind, WeightFormat format)
    {
        var description = new NetworkDescription(kind, 10, 21) { NumLayers = 2, ProjectionSize = kind == CellKind.Lstm ? 7 : 0 };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, 5).WithWeightFormat(format);
        const int steps = 9, batch = 3;
        SequenceWorkspace workspace = network.CreateWorkspace(batch, steps, threads: 2);
        StreamingSession session = network.CreateSession(batch);
        float[] input = new float[steps * batch * 10];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = MathF.Sin(i);
        }

        float[] output = new float[steps * batch * description.StateSize];
        float[] hn = new float[2 * batch * description.StateSize];
        float[] step = new float[batch * description.StateSize];

        void Run()
        {
            network.Forward(workspace, input, steps, batch, output, hn);
            session.Step(input.AsSpan(0, batch * 10), batch, step);
            session.Step(input.AsSpan(0, 10), 1, step.AsSpan(0, description.StateSize));
        }

        AssertNoAllocation(Run);
    }

    // A call that allocates does so every time, so the fewest bytes over several warmed-up calls
    // must be 0. Taking the minimum ignores the runtime's own one-off allocations on the calling
    // thread (tiered compilation starting its background worker after the call-count threshold).
    internal static void AssertNoAllocation(Action run)
    {
        for (int i = 0; i < 40; i++)
        {
            run();
        }

        long fewest = long.MaxValue;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            run();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, fewest);
    }
}

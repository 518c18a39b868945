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
    public void SequenceForwardAndSessionStepsAllocateNothing(CellKind kind, CellVariant variant, int projection)
    {
        var description = new NetworkDescription(kind, 10, 21) { Variant = variant, ProjectionSize = projection, NumLayers = 2 };
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

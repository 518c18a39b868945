using System;
using FastRnn.Kernels;
using FastRnn.Layers;
using FastRnn.Networks;
using FastRnn.Sessions;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// Warmed-up kernels, sequence forward passes and session steps allocate nothing, on any thread.
/// Training paths are in <see cref="FastRnn.Tests.Training.TrainingAllocationTests"/>.
/// </summary>
[Collection(AllocationMeasurements.Name)]
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
            PackedMatMul.MultiplyAddPanels(int8Long, 0, int8Long.Panels, xLong, longColumns, batch, yLong, int8Long.PaddedRows, PanelOrder.Descending);
            Activations.Apply(Activations.Kind.Sigmoid, x, x);
            Activations.Apply(Activations.Kind.Tanh, x, x);
            Activations.Apply(Activations.Kind.Relu, x, x);
            LstmEpilogue.Forward(gates, bias, peephole, c, c, h, batch, hp, EpilogueOptions.Standard);
            GruEpilogue.Forward(gates, hidden, default, default, h, h, batch, hp, EpilogueOptions.Standard);
            GruResetBeforeEpilogue.Gates(gates, hidden, default, default, h, scratch, batch, hp, EpilogueOptions.Standard);
            GruResetBeforeEpilogue.State(gates, scratch, hp, default, default, h, h, batch, hp, EpilogueOptions.Standard);
            RnnEpilogue.Forward(h, hp, default, h, batch, EpilogueOptions.Standard);
        }

        AllocationAssert.AllocatesNothing(Run);
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
            network.Forward(workspace, input, steps, batch, output, final: new FinalState(hn));
            bidirectional.Forward(biWorkspace, input, steps, batch, biOutput, final: new FinalState(biHn), lengths: lengths);
            session.Step(input.AsSpan(0, batch * 10), batch, step);
            session.Reset();
        }

        AllocationAssert.AllocatesNothing(Run);
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
            network.Forward(workspace, input, steps, batch, output, final: new FinalState(hn));
            session.Step(input.AsSpan(0, batch * 10), batch, step);
            session.Step(input.AsSpan(0, 10), 1, step.AsSpan(0, description.StateSize));
        }

        AllocationAssert.AllocatesNothing(Run);
    }

    [Theory]
    [InlineData(CellKind.Lstm, CellVariant.Standard, 0)]
    [InlineData(CellKind.Lstm, CellVariant.Peephole, 5)]
    [InlineData(CellKind.Gru, CellVariant.Standard, 0)]
    [InlineData(CellKind.Gru, CellVariant.ResetBefore, 0)]
    [InlineData(CellKind.RnnTanh, CellVariant.Standard, 0)]
    [InlineData(CellKind.RnnRelu, CellVariant.Standard, 0)]
    public void Float32SessionStepAtBatchOneAllocatesNothing(CellKind kind, CellVariant variant, int projection)
    {
        // The README's headline: one stream, one step at a time, float32 weights.
        var description = new NetworkDescription(kind, 33, 65) { Variant = variant, ProjectionSize = projection, NumLayers = 2 };
        StreamingSession session = RecurrentNetwork.CreateRandom(description, 7).CreateSession();
        float[] input = Ramp(33), output = new float[description.StateSize];
        AllocationAssert.AllocatesNothing(() => session.Step(input, 1, output));
    }

    [Fact]
    public void SessionStateTransfersAndResetAllocateNothing()
    {
        var description = new NetworkDescription(CellKind.Lstm, 9, 17) { NumLayers = 2, ProjectionSize = 6 };
        StreamingSession session = RecurrentNetwork.CreateRandom(description, 3).CreateSession(maxBatch: 4);
        const int batch = 3;
        float[] hidden = Ramp(2 * batch * 6), cell = Ramp(2 * batch * 17), input = Ramp(batch * 9), output = new float[batch * 6];
        AllocationAssert.AllocatesNothing(() =>
        {
            session.SetState(hidden, cell, batch);
            session.Step(input, batch, output);
            session.GetState(hidden, cell, batch);
            session.SetState(hidden, default, batch); // empty cell state: zeros
            session.Reset();
        });
    }

    [Theory]
    [InlineData(CellKind.Lstm, false)]
    [InlineData(CellKind.Lstm, true)]
    [InlineData(CellKind.Gru, true)]
    [InlineData(CellKind.RnnTanh, false)]
    public void AForwardFromInitialStatesWithFinalStatesAllocatesNothing(CellKind kind, bool bidirectional)
    {
        var description = new NetworkDescription(kind, 11, 19) { NumLayers = 2, Bidirectional = bidirectional, BatchFirst = bidirectional };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, 12);
        const int steps = 7, batch = 4;
        int slots = 2 * description.Directions;
        SequenceWorkspace workspace = network.CreateWorkspace(batch, steps);
        float[] input = Ramp(steps * batch * 11), output = new float[steps * batch * description.OutputSize];
        float[] h0 = Ramp(slots * batch * 19), hn = new float[h0.Length];
        float[] c0 = description.HasCellState ? Ramp(slots * batch * 19) : [], cn = new float[c0.Length];
        int[] lengths = [7, 1, 4, 6];
        AllocationAssert.AllocatesNothing(() => network.Forward(workspace, input, steps, batch, output, new InitialState(h0, c0), new FinalState(hn, cn), lengths));
    }

    [Theory]
    [InlineData(CellKind.Lstm, true, null, false)]
    [InlineData(CellKind.Gru, true, null, false)]
    [InlineData(CellKind.Lstm, false, 0.75f, false)]
    [InlineData(CellKind.Gru, false, 0.5f, false)]
    [InlineData(CellKind.Lstm, false, null, true)]
    [InlineData(CellKind.Lstm, true, 2f, true)]
    public void OnnxOptionNetworksAllocateNothing(CellKind kind, bool reverse, float? clip, bool coupled)
    {
        var description = new NetworkDescription(kind, 10, 21) { NumLayers = 2, Reverse = reverse, Clip = clip, CoupledInputForget = coupled, Variant = coupled ? CellVariant.Peephole : CellVariant.Standard };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, 8);
        const int steps = 6, batch = 3;
        SequenceWorkspace workspace = network.CreateWorkspace(batch, steps);
        SequenceWorkspace threaded = network.CreateWorkspace(batch, steps, threads: 2);
        float[] input = Ramp(steps * batch * 10), output = new float[steps * batch * 21], hn = new float[2 * batch * 21];
        int[] lengths = [6, 2, 5];
        StreamingSession? session = reverse ? null : network.CreateSession(); // a reverse network cannot stream
        float[] step = new float[21];
        AllocationAssert.AllocatesNothing(() =>
        {
            network.Forward(workspace, input, steps, batch, output, final: new FinalState(hn), lengths: lengths);
            network.Forward(threaded, input, steps, batch, output, final: new FinalState(hn), lengths: lengths);
            session?.Step(input.AsSpan(0, 10), 1, step);
        });
    }

    [Theory]
    [InlineData(CellKind.Lstm, false, WeightFormat.Float32)]
    [InlineData(CellKind.Lstm, true, WeightFormat.Float32)]
    [InlineData(CellKind.Gru, true, WeightFormat.Float32)]
    [InlineData(CellKind.RnnRelu, false, WeightFormat.Float32)]
    [InlineData(CellKind.Gru, true, WeightFormat.Int8)]
    [InlineData(CellKind.Lstm, false, WeightFormat.BFloat16)]
    public void AThreadedForwardAllocatesNothingOnAnyThread(CellKind kind, bool bidirectional, WeightFormat format)
    {
        // Work large enough to be split, so the second thread really runs and its allocations count.
        var description = new NetworkDescription(kind, 24, 40) { NumLayers = 2, Bidirectional = bidirectional };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, 2).WithWeightFormat(format);
        const int steps = 12, batch = 8;
        SequenceWorkspace workspace = network.CreateWorkspace(batch, steps, threads: 2);
        Assert.Equal(2, workspace.Threads);
        float[] input = Ramp(steps * batch * 24), output = new float[steps * batch * description.OutputSize];
        int[] lengths = [12, 3, 9, 12, 1, 7, 12, 5];
        AllocationAssert.AllocatesNothing(() => network.Forward(workspace, input, steps, batch, output, lengths: lengths));
    }

    [Theory]
    [InlineData(CellKind.Lstm, WeightFormat.Float32)]
    [InlineData(CellKind.Gru, WeightFormat.Int8)]
    [InlineData(CellKind.RnnTanh, WeightFormat.BFloat16)]
    public void OneStreamOnTwoThreadsAllocatesNothingOnAnyThread(CellKind kind, WeightFormat format)
    {
        // Layers large enough that each step's products are shared (a session's LSTM and GRU steps,
        // every sequence's), so the worker really runs.
        const int hidden = 320;
        var description = new NetworkDescription(kind, 32, hidden) { NumLayers = 2 };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, 3).WithWeightFormat(format);
        const int steps = 5;
        StreamingSession session = network.CreateSession(threads: 2);
        SequenceWorkspace workspace = network.CreateWorkspace(1, steps, threads: 2);
        Assert.Equal(2, session.Threads);
        float[] input = Ramp(steps * 32), output = new float[steps * hidden], step = new float[hidden];
        AllocationAssert.AllocatesNothing(() =>
        {
            session.Step(input.AsSpan(0, 32), 1, step);
            network.Forward(workspace, input, steps, 1, output);
        });
    }

    private static float[] Ramp(int length)
    {
        float[] values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = MathF.Sin(0.37f * i);
        }

        return values;
    }
}

using System;
using BenchmarkDotNet.Attributes;
using FastRnn.Kernels;

namespace FastRnn.Benchmarks.Kernels;

/// <summary>
/// The LSTM and GRU step epilogues alone (gate activations and state update after the products),
/// at a batch-64 step of H = 256 (a sequence or the stream batcher) and a batch-1 step of H = 1024,
/// on every ISA path. Each call feeds the previous call's activated gates back in: the epilogue is
/// branch-free and keeps every intermediate normal, so its cost does not depend on the values, and
/// no copy dilutes the figure.
/// </summary>
[KernelConfig]
public class EpilogueBenchmarks
{
    private float[] gates = null!;       // [B, 4H] LSTM pre-activations, or [B, 3H] GRU W_ih x + b_ih
    private float[] hiddenGates = null!; // [B, 3H] GRU W_hh h (unused by the LSTM)
    private float[] bias = null!;        // [4H] LSTM b_ih + b_hh, or [3H] GRU b_ih
    private float[] hiddenBias = null!;  // [3H] GRU b_hh: zeros, since the epilogue stores W_hh h + b_hh back for backward
    private float[] state = null!;       // [B, H] LSTM c (updated in place) or GRU h
    private float[] output = null!;      // [B, H] h'

    /// <summary>The cell whose epilogue runs.</summary>
    [Params(CellKind.Lstm, CellKind.Gru)]
    public CellKind Cell { get; set; }

    /// <summary>Batch rows and hidden units of the step.</summary>
    [Params("B=64 H=256", "B=1 H=1024")]
    public string Shape { get; set; } = "";

    private int Batch => Shape.StartsWith("B=64", StringComparison.Ordinal) ? 64 : 1;

    private int Units => Shape.EndsWith("H=256", StringComparison.Ordinal) ? 256 : 1024;

    [GlobalSetup]
    public void Setup()
    {
        IsaJobs.AssertExpectedPath();
        int gateRows = Cell == CellKind.Lstm ? 4 : 3;
        gates = KernelData.Uniform(Batch * gateRows * Units, 4f, 1);
        hiddenGates = KernelData.Uniform(Batch * 3 * Units, 2f, 2);
        bias = KernelData.Uniform(gateRows * Units, 0.1f, 3);
        hiddenBias = new float[3 * Units];
        state = KernelData.Uniform(Batch * Units, 1f, 5);
        output = new float[Batch * Units];
    }

    /// <summary>One step's epilogue over all rows and units.</summary>
    [Benchmark]
    public void Epilogue()
    {
        if (Cell == CellKind.Lstm)
        {
            LstmEpilogue.Forward(gates, bias, default, state, state, output, Batch, Units, EpilogueOptions.Standard);
        }
        else
        {
            GruEpilogue.Forward(gates, hiddenGates, bias, hiddenBias, state, output, Batch, Units, EpilogueOptions.Standard);
        }
    }
}

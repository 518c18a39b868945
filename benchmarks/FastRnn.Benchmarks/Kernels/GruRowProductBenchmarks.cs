using BenchmarkDotNet.Attributes;
using FastRnn.Kernels;

namespace FastRnn.Benchmarks.Kernels;

/// <summary>
/// One GRU stream's two step products, W_ih x into the gates and W_hh h into the hidden gates (kept
/// apart: the candidate multiplies the recurrent part by the reset gate), as two products one after
/// the other (<see cref="TwoPasses"/>, what a GRU session step ran before) or in one pass over both
/// matrices (<see cref="OnePass"/>, <see cref="RowPairProduct.MultiplyPanelsApart"/>). The same bits
/// either way; the one pass runs six accumulator chains per panel instead of three.
/// </summary>
[MemoryDiagnoser]
public class GruRowProductBenchmarks
{
    private PackedMatrix input = null!;     // [3H, H] W_ih
    private PackedMatrix recurrent = null!; // [3H, H] W_hh
    private float[] x = null!;              // [H]
    private float[] h = null!;              // [H]
    private float[] gates = null!;          // [3Hp] W_ih x
    private float[] hiddenGates = null!;    // [3Hp] W_hh h

    /// <summary>Hidden size (and input size) of the GRU.</summary>
    [Params(64, 128, 256)]
    public int H { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        input = PackedMatrix.Pack(KernelData.Uniform(3 * H * H, 0.1f, 1), 3, H, H);
        recurrent = PackedMatrix.Pack(KernelData.Uniform(3 * H * H, 0.1f, 2), 3, H, H);
        x = KernelData.Uniform(H, 1f, 3);
        h = KernelData.Uniform(H, 1f, 4);
        gates = new float[input.PaddedRows];
        hiddenGates = new float[recurrent.PaddedRows];
    }

    /// <summary>W_ih x, then W_hh h.</summary>
    [Benchmark(Baseline = true)]
    public void TwoPasses()
    {
        PackedMatMul.MultiplyPanels(input, 0, input.Panels, x, H, 1, gates, input.PaddedRows, PanelOrder.Ascending);
        PackedMatMul.MultiplyPanels(recurrent, 0, recurrent.Panels, h, H, 1, hiddenGates, recurrent.PaddedRows, PanelOrder.Ascending);
    }

    /// <summary>Both products in one pass, each into its own buffer.</summary>
    [Benchmark]
    public void OnePass() =>
        RowPairProduct.MultiplyPanelsApart(input, recurrent, 0, input.Panels, x, h, gates, hiddenGates, PanelOrder.Ascending);
}

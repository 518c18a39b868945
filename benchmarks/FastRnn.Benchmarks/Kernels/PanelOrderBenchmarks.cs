using BenchmarkDotNet.Attributes;
using FastRnn.Kernels;

namespace FastRnn.Benchmarks.Kernels;

/// <summary>
/// Two successive batch-1 steps' products over one stream's weights, both walking their panels first to
/// last, or the second walking back (what <see cref="AlternatingPanels"/> has steps do from a core's L2
/// size on, where its CPU is one of those it was measured on): <see cref="Paired"/> is an LSTM session
/// step's W_ih x + W_hh h in one pass (2 MiB of weights at H = 256, 8 MiB at 512),
/// <see cref="Recurrent"/> a sequence step's W_hh h alone (1 MiB at H = 256, 4 MiB at 512),
/// <see cref="PairedBFloat16"/> the paired step with bfloat16 weights. The sums are the same bits either way;
/// only what the cache still holds changes. (Int8 products always walk first to last: see PackedMatMul.)
/// </summary>
[MemoryDiagnoser]
public class PanelOrderBenchmarks
{
    private PackedMatrix input = null!;     // [4H, H] W_ih
    private PackedMatrix recurrent = null!; // [4H, H] W_hh
    private PackedMatrix inputBFloat16 = null!;     // [4H, H] W_ih, bfloat16
    private PackedMatrix recurrentBFloat16 = null!; // [4H, H] W_hh, bfloat16
    private float[] x = null!;              // [H]
    private float[] h = null!;              // [H]
    private float[] gates = null!;          // [4Hp]

    /// <summary>Hidden size (and input size) of the LSTM.</summary>
    [Params(256, 512)]
    public int H { get; set; }

    /// <summary>Whether the second step walks the panels last to first.</summary>
    [Params(false, true)]
    public bool Alternate { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        input = PackedMatrix.Pack(KernelData.Uniform(4 * H * H, 0.1f, 1), 4, H, H);
        recurrent = PackedMatrix.Pack(KernelData.Uniform(4 * H * H, 0.1f, 2), 4, H, H);
        inputBFloat16 = PackedMatrix.Pack(KernelData.Uniform(4 * H * H, 0.1f, 1), 4, H, H, WeightFormat.BFloat16);
        recurrentBFloat16 = PackedMatrix.Pack(KernelData.Uniform(4 * H * H, 0.1f, 2), 4, H, H, WeightFormat.BFloat16);
        x = KernelData.Uniform(H, 1f, 3);
        h = KernelData.Uniform(H, 1f, 4);
        gates = new float[recurrent.PaddedRows];
    }

    /// <summary>Two steps of W_ih x + W_hh h, one pass each.</summary>
    [Benchmark]
    public void Paired()
    {
        RowPairProduct.MultiplyPanels(input, recurrent, 0, input.Panels, x, h, gates, PanelOrder.Ascending);
        RowPairProduct.MultiplyPanels(input, recurrent, 0, input.Panels, x, h, gates, Second);
    }

    /// <summary>Two steps of W_hh h (a sequence's steps, whose input products ran before them).</summary>
    [Benchmark]
    public void Recurrent()
    {
        PackedMatMul.MultiplyPanels(recurrent, 0, recurrent.Panels, h, H, 1, gates, recurrent.PaddedRows, PanelOrder.Ascending);
        PackedMatMul.MultiplyPanels(recurrent, 0, recurrent.Panels, h, H, 1, gates, recurrent.PaddedRows, Second);
    }

    /// <summary><see cref="Paired"/> with bfloat16 weights (half the bytes: 1 MiB at H = 256, 4 MiB at 512).</summary>
    [Benchmark]
    public void PairedBFloat16()
    {
        RowPairProduct.MultiplyPanels(inputBFloat16, recurrentBFloat16, 0, inputBFloat16.Panels, x, h, gates, PanelOrder.Ascending);
        RowPairProduct.MultiplyPanels(inputBFloat16, recurrentBFloat16, 0, inputBFloat16.Panels, x, h, gates, Second);
    }

    private PanelOrder Second => Alternate ? PanelOrder.Descending : PanelOrder.Ascending;
}

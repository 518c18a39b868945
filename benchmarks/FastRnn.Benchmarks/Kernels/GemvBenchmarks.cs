using BenchmarkDotNet.Attributes;
using FastRnn.Kernels;

namespace FastRnn.Benchmarks.Kernels;

/// <summary>
/// Batch-1 y += W x on packed weights: the recurrent product of one streaming step.
/// W = [Gates * N, N]: Gates = 4 is the LSTM recurrent shape (i, f, g, o interleaved),
/// Gates = 1 a plain [N, N] matrix. 2 * Gates * N² flops per call, and every one of the
/// 4 * Gates * N² weight bytes is read once per call, so large N measures cache/memory bandwidth.
/// </summary>
[KernelConfig]
public class GemvBenchmarks
{
    private PackedMatrix w = null!;
    private float[] x = null!;
    private float[] y = null!;

    [Params(64, 128, 256, 512, 1024)]
    public int N { get; set; }

    [Params(1, 4)]
    public int Gates { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        IsaJobs.AssertExpectedPath();
        w = PackedMatrix.Pack(KernelData.Uniform(Gates * N * N, 0.1f, 1), Gates, N, N);
        x = KernelData.Uniform(N, 1f, 2);
        y = new float[w.PaddedRows];
    }

    /// <summary>y accumulates across calls; the kernel's speed does not depend on its values.</summary>
    [Benchmark]
    public void MultiplyAdd() => PackedMatMul.MultiplyAdd(w, x, N, 1, y, w.PaddedRows);
}

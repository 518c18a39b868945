using BenchmarkDotNet.Attributes;
using FastRnn.Kernels;

namespace FastRnn.Benchmarks.Kernels;

/// <summary>
/// Y[b, :] += W X[b, :] for a batch of 64 rows on packed weights, W = [Gates * N, N] (Gates = 4:
/// LSTM, 1: plain): the batched recurrent product and the all-steps input projection.
/// 2 * Batch * Gates * N² flops per call.
/// </summary>
[KernelConfig]
public class GemmBenchmarks
{
    private PackedMatrix w = null!;
    private float[] x = null!;
    private float[] y = null!;

    [Params(256, 1024)]
    public int N { get; set; }

    [Params(1, 4)]
    public int Gates { get; set; }

    /// <summary>Rows of X and Y.</summary>
    [Params(64)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        IsaJobs.AssertExpectedPath();
        w = PackedMatrix.Pack(KernelData.Uniform(Gates * N * N, 0.1f, 1), Gates, N, N);
        x = KernelData.Uniform(Batch * N, 1f, 2);
        y = new float[Batch * w.PaddedRows];
    }

    /// <summary>Y accumulates across calls; the kernel's speed does not depend on its values.</summary>
    [Benchmark]
    public void MultiplyAdd() => PackedMatMul.MultiplyAdd(w, x, N, Batch, y, w.PaddedRows);
}

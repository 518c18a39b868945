using BenchmarkDotNet.Attributes;
using FastRnn.Kernels;

namespace FastRnn.Benchmarks.Kernels;

/// <summary>
/// dW[m, :] += Σ_k δ[k, columns[m]] · X[k, :]: the weight-gradient product of LSTM training at
/// the peer suite's training shape (B = 32, T = 50: K = 1600 rows; H = I = 256: M = 4H = 1024,
/// N = 256), δ in packed gate order, the result in PyTorch row order. 2 * M * N * K flops per call.
/// δ's rows are 4H floats = 4 KiB apart (Pad = 0), or one cache line more as the training workspace
/// lays them out (Pad = 16, <c>TrainingWorkspace.GradientStride</c>): at 4 KiB the rows the kernel
/// reads one column of all map to the same L1 sets.
/// </summary>
[KernelConfig]
public class WeightGradientBenchmarks
{
    private float[] delta = null!;
    private float[] x = null!;
    private float[] dw = null!;
    private int[] columns = null!;

    /// <summary>Rows summed over: time steps × batch rows.</summary>
    [Params(1600)]
    public int K { get; set; }

    /// <summary>Hidden units: M = 4H rows of dW, N = H columns.</summary>
    [Params(256)]
    public int H { get; set; }

    /// <summary>Floats between δ's rows beyond 4H.</summary>
    [Params(0, 16)]
    public int Pad { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        IsaJobs.AssertExpectedPath();
        int m = 4 * H;
        delta = KernelData.Uniform(K * (m + Pad), 0.1f, 1);
        x = KernelData.Uniform(K * H, 1f, 2);
        dw = new float[m * H];

        // PyTorch row g·H + u reads packed column (u / 16)·64 + g·16 + u % 16: gates interleaved
        // in panels of 16 units, as the kernels pack them.
        columns = new int[m];
        for (int g = 0; g < 4; g++)
        {
            for (int u = 0; u < H; u++)
            {
                columns[(g * H) + u] = ((u / 16) * 64) + (g * 16) + (u % 16);
            }
        }
    }

    /// <summary>dW accumulates across calls; the kernel's speed does not depend on its values.</summary>
    [Benchmark]
    public void Accumulate() => TransposedProduct.Accumulate(delta, (4 * H) + Pad, columns, x, H, H, K, dw, H);
}

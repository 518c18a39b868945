using BenchmarkDotNet.Attributes;
using FastRnn.Benchmarks.Shared;

namespace FastRnn.Benchmarks.Kernels;

/// <summary>
/// This core's multiply-add peak on the active path (<see cref="FmaChains"/>); the report divides
/// every kernel's GFLOP/s by this benchmark's in the same job.
/// </summary>
[KernelConfig]
public class FmaPeakBenchmark
{
    [GlobalSetup]
    public void Setup() => IsaJobs.AssertExpectedPath();

    [Benchmark(OperationsPerInvoke = FmaChains.Operations)]
    public float MultiplyAdd() => FmaChains.Run();
}

using BenchmarkDotNet.Attributes;
using FastRnn.Benchmarks.Shared;

namespace FastRnn.Benchmarks.Peers;

/// <summary>
/// This core's multiply-add peak on the path FastRnn runs (<see cref="FmaChains"/>), measured in the
/// same run as the peers: the bound of every batched and training row is its FLOPs ÷ this peak.
/// One operation is one vector FMA (2 flops per lane of the job's path).
/// </summary>
[Config(typeof(IsaPathConfig))]
public class FmaPeakBenchmarks
{
    [GlobalSetup]
    public void Setup() => IsaPathConfig.AssertExpectedPath();

    [Benchmark(OperationsPerInvoke = FmaChains.Operations)]
    public float MultiplyAdd() => FmaChains.Run();
}

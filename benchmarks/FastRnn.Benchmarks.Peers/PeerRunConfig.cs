using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace FastRnn.Benchmarks.Peers;

/// <summary>
/// The run settings of every case of the peer suite: one launch, 3 warm-up and 12 measured
/// iterations of about half a second each. A mutator, so it also applies to the per-path jobs of
/// <see cref="IsaPathConfig"/> instead of adding a job of its own. The whole suite takes about
/// 35 minutes on 2 cores this way; BenchmarkDotNet's default job would take over two hours.
/// </summary>
internal static class PeerRunConfig
{
    public static IConfig Create() => DefaultConfig.Instance
        .AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(12).AsMutator());
}

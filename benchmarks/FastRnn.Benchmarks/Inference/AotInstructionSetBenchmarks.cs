using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains;
using BenchmarkDotNet.Toolchains.NativeAot;
using FastRnn.Networks;

namespace FastRnn.Benchmarks.Inference;

/// <summary>
/// The batch-1 streaming step as a Native AOT binary sees it, for each instruction-set choice a
/// user publishes with (README, "Native AOT"): .NET's portable baseline (x86-64-v2), the CLI's
/// default (x86-64-v3), x86-64-v4 (AVX-512), beside the JIT on the same CPU. Each AOT job is its own
/// publish (a few minutes; run it on an idle machine). Run: <c>--filter '*AotInstructionSet*'</c>.
/// </summary>
[Config(typeof(AotInstructionSetConfig))]
public class AotInstructionSetBenchmarks : BatchOneStepBenchmark
{
    [Params(CellKind.Lstm, CellKind.Gru)]
    public CellKind Cell { get; set; }

    [Params(256, 512)]
    public int Hidden { get; set; }

    [GlobalSetup]
    public void Setup() => Open(RecurrentNetwork.CreateRandom(new NetworkDescription(Cell, Hidden, Hidden), 1));

    private sealed class AotInstructionSetConfig : ManualConfig
    {
        public AotInstructionSetConfig()
        {
            // A Native AOT publish takes minutes on 2 cores, several at once longer: past the default build timeout.
            WithBuildTimeout(System.TimeSpan.FromMinutes(20));
            Job baseJob = Job.Default.WithWarmupCount(3).WithIterationCount(10);
            AddJob(baseJob.WithId("JIT").AsBaseline());
            foreach (string set in new[] { "x86-64-v2", "x86-64-v3", "x86-64-v4" })
            {
                IToolchain toolchain = NativeAotToolchain.CreateBuilder()
                    .UseNuGet()
                    .IlcInstructionSet(set)
                    .TargetFrameworkMoniker("net10.0")
                    .DisplayName("AOT " + set)
                    .ToToolchain();
                AddJob(baseJob.WithToolchain(toolchain).WithId("AOT " + set));
            }
        }
    }
}

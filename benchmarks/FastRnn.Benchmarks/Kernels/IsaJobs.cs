using System;
using System.Collections.Generic;
using BenchmarkDotNet.Jobs;
using FastRnn.Kernels;

namespace FastRnn.Benchmarks.Kernels;

/// <summary>
/// One job per ISA path, chosen with the .NET 10 runtime switches (see DESIGN.md, "ISA matrix"):
/// default (widest path of this CPU), DOTNET_EnableAVX512=0 (256-bit), DOTNET_EnableAVX2=0
/// (128-bit), DOTNET_EnableHWIntrinsic=0 (scalar). Each job is named by the path it runs
/// (a <see cref="SimdPath"/> name) and carries that path in <see cref="ExpectedPathVariable"/>,
/// which <see cref="AssertExpectedPath"/> checks inside the benchmark process, so a switch that
/// stops working fails the benchmark instead of mislabelling its numbers.
/// </summary>
internal static class IsaJobs
{
    /// <summary>The variable the test ISA legs use too; holds the <see cref="SimdPath"/> name a process must run.</summary>
    public const string ExpectedPathVariable = "FASTRNN_EXPECT_SIMD_PATH";

    /// <summary>Each narrower path with the switch that selects it, widest first.</summary>
    private static readonly (SimdPath Path, string Switch)[] Narrower =
    [
        (SimdPath.Vector256, "DOTNET_EnableAVX512"),
        (SimdPath.Vector128, "DOTNET_EnableAVX2"),
        (SimdPath.Scalar, "DOTNET_EnableHWIntrinsic"),
    ];

    /// <summary>
    /// The jobs for this machine based on <paramref name="template"/>: the default path (what
    /// this process runs, e.g. Vector512), then every narrower path. A switch whose path is not
    /// narrower than the default (e.g. DOTNET_EnableAVX512=0 on an AVX2-only CPU) is skipped,
    /// since it would only repeat the default job under another name.
    /// </summary>
    public static IEnumerable<Job> For(Job template)
    {
        SimdPath widest = Isa.Active;
        yield return Default(template);
        foreach ((SimdPath path, string name) in Narrower)
        {
            if (path < widest)
            {
                yield return template
                    .WithEnvironmentVariables(new EnvironmentVariable(name, "0"), new EnvironmentVariable(ExpectedPathVariable, path.ToString()))
                    .WithId(path.ToString());
            }
        }
    }

    /// <summary>The default-path job only (no switch), named by the path this CPU runs by default.</summary>
    public static Job Default(Job template) =>
        template
            .WithEnvironmentVariables(new EnvironmentVariable(ExpectedPathVariable, Isa.Active.ToString()))
            .WithId(Isa.Active.ToString());

    /// <summary>The path a job was built for (its id), or null for a job not made here.</summary>
    public static SimdPath? PathOf(string jobId) =>
        Enum.TryParse(jobId, out SimdPath path) && Enum.IsDefined(path) ? path : null;

    /// <summary>Throws when the process does not run the path its job promised. Call from every [GlobalSetup].</summary>
    public static void AssertExpectedPath()
    {
        string? expected = Environment.GetEnvironmentVariable(ExpectedPathVariable);
        if (!string.IsNullOrEmpty(expected) && !string.Equals(expected, Isa.Active.ToString(), StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"This job expects the {expected} path but the process runs {Isa.Active}: the runtime ignored the ISA switch.");
        }
    }
}

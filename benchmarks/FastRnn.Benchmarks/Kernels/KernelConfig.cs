using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using FastRnn.Kernels;
using Perfolizer.Horology;
using Perfolizer.Metrology;

namespace FastRnn.Benchmarks.Kernels;

/// <summary>
/// The configuration of every kernel benchmark: memory diagnoser, GFLOP/s column, one job per
/// ISA path (<see cref="IsaJobs"/>) and a CSV export with fixed units for the report generator
/// (<see cref="KernelCsvExporter"/>). The GitHub markdown, default CSV and HTML exports come from
/// BenchmarkDotNet's default config, which the switcher in Program.cs uses (adding them here
/// again makes BenchmarkDotNet warn about duplicate exporters). BenchmarkDotNet 0.15.8 has no
/// hardware-intrinsics column: the job id is the path (checked in each benchmark process) and
/// the environment summary lists each job's instruction sets ("X64 RyuJIT x86-64-v4", "-v3", ...).
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class KernelConfigAttribute : Attribute, IConfigSource
{
    public IConfig Config => KernelConfig.Create();
}

internal static class KernelConfig
{
    /// <summary>
    /// CSV style the report reads: invariant culture, times in ns and sizes in bytes, units in the
    /// header only, zeros printed as 0.
    /// </summary>
    public static readonly SummaryStyle CsvStyle = new(
        CultureInfo.InvariantCulture,
        printUnitsInHeader: true,
        sizeUnit: SizeUnit.B,
        timeUnit: TimeUnit.Nanosecond,
        printUnitsInContent: false,
        printZeroValuesInContent: true);

    /// <summary>
    /// Per-job run length: one launch, 3 warmup and 10 measured iterations of 200 ms. About 4 s
    /// per benchmark case and job including process start and pilot, so the kernel suite
    /// (19 cases x 4 jobs) takes 6-8 minutes on a quiet machine.
    /// </summary>
    public static readonly Job Template = Job.Default
        .WithLaunchCount(1)
        .WithWarmupCount(3)
        .WithIterationCount(10)
        .WithIterationTime(TimeInterval.FromMilliseconds(200));

    /// <summary>
    /// Set by the CI smoke mode: the attribute then adds no jobs, so the caller's single Dry job
    /// is the only one.
    /// </summary>
    public static bool SmokeMode { get; set; }

    /// <summary>Set by <c>--isa</c>: only the jobs of these paths (null: all).</summary>
    public static IReadOnlySet<SimdPath>? SelectedPaths { get; private set; }

    /// <summary>Parses a comma-separated list of <see cref="SimdPath"/> names into <see cref="SelectedPaths"/>.</summary>
    public static bool TrySelectPaths(string list)
    {
        var paths = new HashSet<SimdPath>();
        foreach (string name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IsaJobs.PathOf(name) is not { } path)
            {
                return false;
            }

            paths.Add(path);
        }

        SelectedPaths = paths.Count > 0 ? paths : null;
        return paths.Count > 0;
    }

    public static ManualConfig Create()
    {
        ManualConfig config = ManualConfig.CreateEmpty()
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(GflopsColumn.Instance)
            .AddExporter(KernelCsvExporter.Instance);
        if (!SmokeMode)
        {
            config.AddJob([.. IsaJobs.For(Template).Where(j => SelectedPaths is null || SelectedPaths.Contains(IsaJobs.PathOf(j.Id)!.Value))]);
        }

        return config;
    }
}

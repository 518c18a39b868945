using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using FastRnn.Benchmarks.Kernels;

namespace FastRnn.Benchmarks;

/// <summary>
/// `--ci`: proves the benchmarks build and run, in seconds. One case (batch-1 LSTM-shaped GEMV,
/// N = 64) with a Dry job on the default path, in process (no generated project to build), the
/// artifacts in a temporary folder. Exit code 0 only if it ran and produced a result.
/// </summary>
internal static class SmokeRun
{
    public static int Run()
    {
        KernelConfig.SmokeMode = true;
        string artifacts = Path.Combine(Path.GetTempPath(), $"fastrnn-bench-ci-{Environment.ProcessId}");
        try
        {
            IConfig config = ManualConfig.CreateMinimumViable()
                .AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance).WithId($"{FastRnn.Kernels.Isa.Active}-Dry"))
                .AddFilter(new SimpleFilter(c => IsIntParameter(c, nameof(GemvBenchmarks.N), 64) && IsIntParameter(c, nameof(GemvBenchmarks.Gates), 4)))
                .WithArtifactsPath(artifacts);
            Summary summary = BenchmarkRunner.Run<GemvBenchmarks>(config);
            IReadOnlyList<string> failures = Failures([summary]);
            if (summary.BenchmarksCases.Length != 1)
            {
                failures = [.. failures, $"expected exactly one benchmark case, ran {summary.BenchmarksCases.Length}"];
            }

            foreach (string failure in failures)
            {
                Console.Error.WriteLine($"benchmark smoke run failed: {failure}");
            }

            return failures.Count == 0 ? 0 : 1;
        }
        finally
        {
            if (Directory.Exists(artifacts))
            {
                Directory.Delete(artifacts, recursive: true);
            }
        }
    }

    /// <summary>What went wrong in a set of summaries: validation errors, cases without a result.</summary>
    public static IReadOnlyList<string> Failures(IEnumerable<Summary> summaries)
    {
        var failures = new List<string>();
        foreach (Summary summary in summaries)
        {
            if (summary.HasCriticalValidationErrors)
            {
                failures.AddRange(summary.ValidationErrors.Where(e => e.IsCritical).Select(e => $"{summary.Title}: {e.Message}"));
            }

            if (summary.BenchmarksCases.Length > 0 && summary.Reports.IsEmpty)
            {
                failures.Add($"{summary.Title}: no reports");
            }

            failures.AddRange(summary.Reports
                .Where(r => !r.Success || r.ResultStatistics is null)
                .Select(r => $"{r.BenchmarkCase.DisplayInfo}: no result"));
        }

        return failures;
    }

    private static bool IsIntParameter(BenchmarkCase benchmarkCase, string name, int value) =>
        benchmarkCase.Parameters.Items.Any(p => p.Name == name && p.Value is int v && v == value);
}

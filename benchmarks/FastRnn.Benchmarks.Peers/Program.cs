using System;
using System.Linq;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace FastRnn.Benchmarks.Peers;

/// <summary>
/// BenchmarkDotNet's switcher (any of its arguments), plus:
/// <c>peers</c> (checks that every peer loads and prints its version),
/// <c>report RESULTS OUT</c> (peers.md from a run, see <see cref="Report.PeerReport"/>),
/// <c>cpu-folder</c> (the perf-results folder name of this CPU).
/// Exits non-zero when a benchmark fails (a peer that cannot load fails its benchmarks, with the reason).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "report")
        {
            if (args.Length != 3)
            {
                Console.Error.WriteLine("usage: report <BenchmarkDotNet results folder> <output folder, e.g. perf-results/CPU>");
                return 2;
            }

            return Report.PeerReport.Run(args[1], args[2]);
        }

        if (args.Length == 1 && args[0] == "cpu-folder")
        {
            Console.WriteLine(FastRnn.Kernels.CpuDescription.FolderName);
            return 0;
        }

        if (args.Length == 1 && args[0] == "peers")
        {
            return Peers.PrintStatus();
        }

        Summary[] summaries = [.. BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, PeerRunConfig.Create())];
        int failed = 0;
        foreach (Summary summary in summaries)
        {
            foreach (BenchmarkReport report in summary.Reports.Where(r => !r.Success || r.ResultStatistics is null))
            {
                Console.Error.WriteLine($"benchmark failed: {report.BenchmarkCase.DisplayInfo}");
                failed++;
            }

            failed += summary.ValidationErrors.Count(e => e.IsCritical);
        }

        return failed == 0 ? 0 : 1;
    }
}

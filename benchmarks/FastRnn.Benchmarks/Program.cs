using System;
using System.Linq;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using FastRnn.Benchmarks.Kernels;

namespace FastRnn.Benchmarks;

/// <summary>
/// BenchmarkDotNet's switcher (any of its arguments), plus:
/// <c>--ci</c> (a smoke run of one case in seconds, see <see cref="SmokeRun"/>),
/// <c>report RESULTS OUT</c> (kernels.md from a kernel run, see <see cref="KernelReport"/>),
/// <c>cpu-folder</c> (prints the perf-results folder name of this CPU),
/// <c>--isa PATH[,PATH]</c> (kernel benchmarks: only the jobs of these paths, e.g. Vector512),
/// <c>memory [OUT]</c> (resident memory per weight format, see <see cref="Memory.ResidentMemory"/>; OUT defaults to perf-results/CPU),
/// <c>serving-model OUT</c> (the serving figures' PyTorch-style module, see <see cref="Serving.ServingModel"/>),
/// <c>serving-report FOLDER</c> (loadtest.md and loadtest.png from benchmarks/run-serving.sh's runs, see <see cref="Serving.ServingReport"/>),
/// <c>thread-speedup [N] [SECONDS] [OUT.md]</c> (one stream on N threads over one, interleaved in one process, see <see cref="Inference.ThreadSpeedup"/>).
/// Exits non-zero when a benchmark fails validation or produces no result.
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

            return KernelReport.Run(args[1], args[2]);
        }

        if (args.Length == 1 && args[0] == "cpu-folder")
        {
            Console.WriteLine(FastRnn.Kernels.CpuDescription.FolderName);
            return 0;
        }

        if (args.Length >= 1 && args[0] == "memory")
        {
            return Memory.ResidentMemory.Run(args.Length > 1 ? args[1] : System.IO.Path.Combine("perf-results", FastRnn.Kernels.CpuDescription.FolderName));
        }

        if (args.Length == 4 && args[0] == "memory-child")
        {
            return Memory.ResidentMemory.RunChild(args[1], args[2], args[3] == "inference-only");
        }

        if (args.Length == 2 && args[0] == "serving-model")
        {
            return Serving.ServingModel.Run(args[1]);
        }

        if (args.Length == 2 && args[0] == "serving-report")
        {
            return Serving.ServingReport.Run(args[1]);
        }

        if (args.Length >= 1 && args[0] == "thread-speedup")
        {
            return Inference.ThreadSpeedup.Run(args);
        }

        if (args.Contains("--ci"))
        {
            return SmokeRun.Run();
        }

        int isa = Array.IndexOf(args, "--isa");
        if (isa >= 0)
        {
            if (isa + 1 >= args.Length || !KernelConfig.TrySelectPaths(args[isa + 1]))
            {
                Console.Error.WriteLine("--isa takes a comma-separated list of Vector512, Vector256, Vector128, Scalar.");
                return 2;
            }

            args = [.. args[..isa], .. args[(isa + 2)..]];
        }

        Summary[] summaries = [.. BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args)];
        var failures = SmokeRun.Failures(summaries);
        foreach (string failure in failures)
        {
            Console.Error.WriteLine($"benchmark failed: {failure}");
        }

        return failures.Count == 0 ? 0 : 1;
    }
}

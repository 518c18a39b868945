using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Text;
using FastRnn.Cli.Bench;
using FastRnn.Kernels;

namespace FastRnn.Cli.Commands;

/// <summary>
/// <c>fastrnn bench [--out DIR]</c>: a quick Stopwatch estimate (about a minute) of streaming steps,
/// batched sequences and the packed GEMV on this CPU's active path, printed and written to
/// <c>DIR/&lt;cpu folder&gt;/quick.md</c> (DIR defaults to <c>perf-results</c>). The full
/// BenchmarkDotNet suites are <c>benchmarks/run-all.sh</c>.
/// </summary>
internal static class BenchCommand
{
    private const int UsageErrorExitCode = 2;

    /// <summary>The <c>bench</c> command.</summary>
    public static CliCommand Create()
    {
        var output = new Option<string>("--out")
        {
            HelpName = "DIR",
            Description = "Folder of the report: DIR/<cpu>/quick.md.",
            DefaultValueFactory = _ => "perf-results",
        };
        var command = new CliCommand("bench", "Quick Stopwatch timings on this CPU, written to DIR/<cpu>/quick.md.", UsageErrorExitCode)
        {
            output,
        };
        command.Validators.Add(result => CliOptions.AddError(result, result.GetValue(output) is string root ? CliPaths.FolderProblem("--out", root) : null));
        command.SetAction(result => Run(result.GetRequiredValue(output)));
        return command;
    }

    private static int Run(string root)
    {
        Console.WriteLine("fastrnn bench: a quick Stopwatch estimate (median of 7 rounds after warm-up), not BenchmarkDotNet");
        Console.WriteLine(CpuDescription.Summary());
        Console.WriteLine();
        List<QuickBenchRow> rows = QuickBenchSuite.Run(row => Console.WriteLine(Line(row)));
        string file = Path.Combine(root, CpuDescription.FolderName, "quick.md");
        try
        {
            WriteReport(file, rows);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"fastrnn bench: could not write {file}: {e.Message}");
            return 1;
        }

        Console.WriteLine();
        Console.WriteLine($"wrote {file}");
        return 0;
    }

    /// <summary>Writes the report atomically: a crash or a full disk leaves the old report whole.</summary>
    internal static void WriteReport(string file, List<QuickBenchRow> rows)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        CliPaths.WriteAtomically(file, Markdown(rows));
    }

    private static string Line(QuickBenchRow row) =>
        string.Create(CultureInfo.InvariantCulture, $"  {row.Case,-22} {row.Shape,-36} {row.Path,-10} {row.Microseconds,10:F2} µs  {row.Gflops,7:F1} GFLOP/s");

    private static string Markdown(List<QuickBenchRow> rows)
    {
        var text = new StringBuilder();
        text.AppendLine($"# Quick estimate: {CpuDescription.ModelName}");
        text.AppendLine();
        text.AppendLine("Made by `fastrnn bench`: Stopwatch, median of 7 rounds of about 100 ms after a 300 ms warm-up,");
        text.AppendLine("one thread. A quick estimate to compare machines, not a BenchmarkDotNet measurement");
        text.AppendLine("(for those: `benchmarks/run-all.sh`). GFLOP/s count 2 per multiply-add of the matrix products.");
        text.AppendLine();
        text.AppendLine("```");
        text.AppendLine(CpuDescription.Summary());
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Date:           {DateTime.UtcNow:yyyy-MM-dd}"));
        text.AppendLine("```");
        text.AppendLine();
        text.AppendLine("| case | shape | ISA path | µs per call | GFLOP/s |");
        text.AppendLine("|---|---|---|---:|---:|");
        foreach (QuickBenchRow row in rows)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {row.Case} | {row.Shape} | {row.Path} | {row.Microseconds:F2} | {row.Gflops:F1} |"));
        }

        return text.ToString();
    }
}

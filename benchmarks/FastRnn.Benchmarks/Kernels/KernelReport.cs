using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using FastRnn.Kernels;

namespace FastRnn.Benchmarks.Kernels;

/// <summary>
/// `report RESULTS OUT`: reads the CSV exports of a kernel run (RESULTS is BenchmarkDotNet's
/// results folder), writes OUT/kernels.md (GFLOP/s from the mean time and
/// <see cref="KernelFlops"/>, and the fraction of <see cref="FmaPeakBenchmark"/> in the same
/// job) and copies the BenchmarkDotNet CSV and GitHub markdown reports next to it. The CPU
/// lines come from <see cref="CpuDescription.Summary"/> of the machine running the report, so run
/// it on the machine that ran the benchmarks (benchmarks/run-kernels.sh does).
/// </summary>
internal static class KernelReport
{
    private const string Prefix = "FastRnn.Benchmarks.Kernels.";
    private const string CsvSuffix = KernelCsvExporter.Suffix;
    private const string DefaultCsvSuffix = "-report.csv";
    private const string MarkdownSuffix = "-report-github.md";

    public static int Run(string resultsFolder, string outputFolder)
    {
        if (!Directory.Exists(resultsFolder))
        {
            Console.Error.WriteLine($"No results folder {resultsFolder}.");
            return 1;
        }

        string[] csvFiles = Directory.GetFiles(resultsFolder, Prefix + "*" + CsvSuffix);
        Array.Sort(csvFiles, StringComparer.Ordinal);
        if (csvFiles.Length == 0)
        {
            Console.Error.WriteLine($"No {Prefix}*{CsvSuffix} in {resultsFolder}: run the kernel benchmarks first.");
            return 1;
        }

        List<Row> rows = [.. csvFiles.SelectMany(Read)];
        Directory.CreateDirectory(outputFolder);
        foreach (string file in Directory.GetFiles(resultsFolder, Prefix + "*"))
        {
            if (file.EndsWith(CsvSuffix, StringComparison.Ordinal) || file.EndsWith(DefaultCsvSuffix, StringComparison.Ordinal) || file.EndsWith(MarkdownSuffix, StringComparison.Ordinal))
            {
                File.Copy(file, Path.Combine(outputFolder, Path.GetFileName(file)), overwrite: true);
            }
        }

        string target = Path.Combine(outputFolder, "kernels.md");
        File.WriteAllText(target, Markdown(rows, csvFiles));
        Console.WriteLine($"Wrote {target} ({rows.Count} results from {csvFiles.Length} reports).");
        return 0;
    }

    private static IEnumerable<Row> Read(string file)
    {
        string name = Path.GetFileName(file);
        string type = name[Prefix.Length..^CsvSuffix.Length];
        CsvTable table = CsvTable.Read(file);
        foreach (List<string> cells in table.Rows)
        {
            string job = table.Cell(cells, "Job") ?? "?";
            SimdPath? path = IsaJobs.PathOf(job);
            double? mean = table.Number(cells, "Mean [ns]");
            yield return new Row(
                type,
                table.Cell(cells, "Method") ?? "?",
                job,
                path,
                (int?)table.Number(cells, nameof(GemvBenchmarks.N)),
                (int?)table.Number(cells, nameof(GemvBenchmarks.Gates)),
                (int?)table.Number(cells, nameof(GemmBenchmarks.Batch)),
                mean,
                table.Number(cells, "Allocated [B]"),
                KernelFlops.PerOperation(type, column => table.Cell(cells, column), path));
        }
    }

    private static string Markdown(List<Row> rows, string[] sources)
    {
        var peaks = rows
            .Where(r => r.Type == nameof(FmaPeakBenchmark) && r.Gflops is not null)
            .GroupBy(r => r.Job)
            .ToDictionary(g => g.Key, g => g.First().Gflops!.Value, StringComparer.Ordinal);
        var md = new StringBuilder();
        md.AppendLine("# FastRnn kernel benchmarks");
        md.AppendLine();
        md.AppendLine("Machine (from `CpuDescription.Summary()` of the machine that ran the suite; the ISA path line is the default path):");
        md.AppendLine();
        md.AppendLine("```text");
        md.AppendLine(CpuDescription.Summary());
        md.AppendLine("```");
        md.AppendLine();
        md.AppendLine($"Reports: {string.Join(", ", sources.Select(s => $"`{Path.GetFileName(s)}`"))} (BenchmarkDotNet's tables, with error, StdDev and environment, are copied next to this file).");
        md.AppendLine("Jobs are ISA paths: the default path, then `DOTNET_EnableAVX512=0` (Vector256), `DOTNET_EnableAVX2=0` (Vector128), `DOTNET_EnableHWIntrinsic=0` (Scalar); each benchmark process checks it runs the path its job is named after.");
        md.AppendLine("GFLOP/s counts a multiply-add as 2 flops (y += W x is 2 · rows · columns per batch row); % of peak divides by the multiply-add peak measured on the same path (`FmaPeakBenchmark`).");
        md.AppendLine();

        var peakRows = rows.Where(r => r.Type == nameof(FmaPeakBenchmark)).OrderBy(JobOrder).ToList();
        if (peakRows.Count > 0)
        {
            md.AppendLine("## Multiply-add peak");
            md.AppendLine();
            md.AppendLine("| ISA path (job) | ns per vector multiply-add | GFLOP/s |");
            md.AppendLine("|---|---:|---:|");
            foreach (Row r in peakRows)
            {
                md.AppendLine($"| {r.Job} | {Fixed(r.MeanNs, "0.0000")} | {Fixed(r.Gflops, "0.0")} |");
            }

            md.AppendLine();
        }

        var products = rows
            .Where(r => r.Type is nameof(GemvBenchmarks) or nameof(GemmBenchmarks))
            .OrderBy(r => r.Type == nameof(GemvBenchmarks) ? 0 : 1).ThenBy(r => r.Gates).ThenBy(r => r.N).ThenBy(JobOrder)
            .ToList();
        if (products.Count > 0)
        {
            md.AppendLine("## Packed matrix products (y += W x, W = [Gates · N, N])");
            md.AppendLine();
            md.AppendLine("| Benchmark | ISA path (job) | N | Gates | Batch | Mean | Allocated | GFLOP/s | % of FMA peak |");
            md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (Row r in products)
            {
                double? fraction = r.Gflops is { } g && peaks.TryGetValue(r.Job, out double peak) && peak > 0 ? g / peak : null;
                md.AppendLine($"| {r.Type}.{r.Method} | {r.Job} | {r.N} | {r.Gates} | {r.Batch ?? 1} | {Time(r.MeanNs)} | {Bytes(r.AllocatedBytes)} | {Fixed(r.Gflops, "0.00")} | {Percent(fraction)} |");
            }

            md.AppendLine();
        }

        var activations = rows.Where(r => r.Type == nameof(ActivationBenchmarks)).ToList();
        if (activations.Count > 0)
        {
            md.AppendLine($"## Activations ({ActivationBenchmarks.Length} floats)");
            md.AppendLine();
            md.AppendLine("| Benchmark | ISA path (job) | Mean | ns per element | Allocated | time vs TensorPrimitives |");
            md.AppendLine("|---|---|---:|---:|---:|---:|");
            foreach (Row r in activations.OrderBy(r => Function(r.Method)).ThenBy(JobOrder).ThenBy(r => r.Method, StringComparer.Ordinal))
            {
                Row? baseline = activations.FirstOrDefault(b => b.Job == r.Job && b.Method == "TensorPrimitives" + Function(r.Method));
                double? ratio = baseline?.MeanNs is > 0 ? r.MeanNs / baseline.MeanNs : null;
                md.AppendLine($"| {r.Method} | {r.Job} | {Time(r.MeanNs)} | {Fixed(r.MeanNs / ActivationBenchmarks.Length, "0.000")} | {Bytes(r.AllocatedBytes)} | {Fixed(ratio, "0.00")}x |");
            }
        }

        return md.ToString();
    }

    private static string Function(string method) =>
        method.EndsWith("Sigmoid", StringComparison.Ordinal) ? "Sigmoid" : method.EndsWith("Tanh", StringComparison.Ordinal) ? "Tanh" : method;

    // Widest path first, unknown jobs last.
    private static int JobOrder(Row r) => r.Path is { } p ? -(int)p : 1;

    private static string Fixed(double? value, string format) =>
        value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    private static string Time(double? ns) => ns switch
    {
        null => "n/a",
        < 1e3 => $"{ns.Value.ToString("0.0", CultureInfo.InvariantCulture)} ns",
        < 1e6 => $"{(ns.Value / 1e3).ToString("0.00", CultureInfo.InvariantCulture)} μs",
        < 1e9 => $"{(ns.Value / 1e6).ToString("0.00", CultureInfo.InvariantCulture)} ms",
        _ => $"{(ns.Value / 1e9).ToString("0.00", CultureInfo.InvariantCulture)} s",
    };

    private static string Percent(double? fraction) =>
        fraction is { } f ? $"{(f * 100).ToString("0.0", CultureInfo.InvariantCulture)}%" : "n/a";

    private static string Bytes(double? bytes) => bytes is { } b ? $"{b.ToString("0", CultureInfo.InvariantCulture)} B" : "n/a";

    private sealed record Row(string Type, string Method, string Job, SimdPath? Path, int? N, int? Gates, int? Batch, double? MeanNs, double? AllocatedBytes, double? Flops)
    {
        public double? Gflops => Flops is { } f && MeanNs is > 0 ? f / MeanNs : null;
    }
}

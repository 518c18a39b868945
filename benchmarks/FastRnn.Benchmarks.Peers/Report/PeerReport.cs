using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using FastRnn.Kernels;

namespace FastRnn.Benchmarks.Peers;

/// <summary>
/// `report RESULTS OUT`: reads BenchmarkDotNet's CSV reports of a peers run (RESULTS is its results
/// folder) and writes OUT/peers.md: per workload, FastRnn's mean time ÷ the best peer's (below 1:
/// FastRnn is faster), which peer that is, and every peer's time; a peer without a result (did not
/// load, failed its check) is named as such. Copies the CSV and GitHub markdown reports next to it.
/// Run it on the machine that ran the benchmarks: the CPU line is this machine's.
/// </summary>
internal static class PeerReport
{
    private const string Prefix = "FastRnn.Benchmarks.Peers.";
    private const string CsvSuffix = "-report.csv";
    private const string MarkdownSuffix = "-report-github.md";
    private const string Baseline = "FastRnn";
    private static readonly string[] ParameterColumns = ["Cell", "Shape", "Hidden"];

    public static int Run(string resultsFolder, string outputFolder)
    {
        string[] csvFiles = Directory.Exists(resultsFolder) ? Directory.GetFiles(resultsFolder, Prefix + "*" + CsvSuffix) : [];
        Array.Sort(csvFiles, StringComparer.Ordinal);
        if (csvFiles.Length == 0)
        {
            Console.Error.WriteLine($"No {Prefix}*{CsvSuffix} in {resultsFolder}: run the peer benchmarks first.");
            return 1;
        }

        Directory.CreateDirectory(outputFolder);
        var md = new StringBuilder();
        md.AppendLine("# FastRnn beside its peers").AppendLine();
        md.AppendLine("```").AppendLine(CpuDescription.Summary().TrimEnd()).AppendLine("```").AppendLine();
        md.AppendLine("One thread for every library (ONNX Runtime: intra/inter-op 1, sequential; libtorch: set_num_threads(1)); the same weights everywhere,");
        md.AppendLine("each peer's output checked against FastRnn's before timing. **FastRnn ÷ best** is FastRnn's mean time over the fastest peer's: below 1, FastRnn is faster.").AppendLine();
        foreach (string file in csvFiles)
        {
            string name = Path.GetFileName(file)[Prefix.Length..^CsvSuffix.Length];
            md.AppendLine($"## {name}").AppendLine();
            md.Append(Table(File.ReadAllLines(file))).AppendLine();
            File.Copy(file, Path.Combine(outputFolder, Path.GetFileName(file)), overwrite: true);
            string markdown = file[..^CsvSuffix.Length] + MarkdownSuffix;
            if (File.Exists(markdown))
            {
                File.Copy(markdown, Path.Combine(outputFolder, Path.GetFileName(markdown)), overwrite: true);
            }
        }

        string target = Path.Combine(outputFolder, "peers.md");
        File.WriteAllText(target, md.ToString());
        Console.WriteLine($"Wrote {target} from {csvFiles.Length} reports.");
        return 0;
    }

    private static string Table(string[] lines)
    {
        string[] header = Split(lines[0]);
        int method = Array.IndexOf(header, "Method"), mean = Array.IndexOf(header, "Mean");
        int[] parameters = [.. ParameterColumns.Select(c => Array.IndexOf(header, c)).Where(i => i >= 0)];
        var rows = lines.Skip(1).Where(l => l.Length > 0).Select(Split).ToList();
        var sb = new StringBuilder();
        sb.AppendLine($"| {string.Join(" | ", parameters.Select(i => header[i]))} | FastRnn | best peer | FastRnn ÷ best | all peers |");
        sb.AppendLine($"|{string.Concat(parameters.Select(_ => " --- |"))} ---: | --- | ---: | --- |");
        foreach (var group in rows.GroupBy(r => string.Join(" | ", parameters.Select(i => r[i]))))
        {
            double? ours = group.Where(r => r[method] == Baseline).Select(r => Nanoseconds(r[mean])).FirstOrDefault();
            var peers = group.Where(r => r[method] != Baseline).Select(r => (Name: r[method], Ns: Nanoseconds(r[mean]))).ToList();
            var best = peers.Where(p => p.Ns is not null).OrderBy(p => p.Ns).FirstOrDefault();
            string ratio = ours is not null && best.Ns is not null ? (ours.Value / best.Ns.Value).ToString("0.00", CultureInfo.InvariantCulture) : "n/a";
            string all = string.Join(", ", peers.Select(p => $"{p.Name} {Format(p.Ns)}"));
            sb.AppendLine($"| {group.Key} | {Format(ours)} | {best.Name ?? "none"} {Format(best.Ns)} | {ratio} | {all} |");
        }

        return sb.ToString();
    }

    /// <summary>A BenchmarkDotNet time cell ("1,234.5 us", "12.3 ms", "NA") in ns, or null without a result.</summary>
    private static double? Nanoseconds(string cell)
    {
        string[] parts = cell.Replace(",", string.Empty, StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            return null;
        }

        double scale = (parts.Length > 1 ? parts[1] : "ns") switch
        {
            "ns" => 1,
            "us" or "μs" or "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            _ => double.NaN,
        };
        return double.IsNaN(scale) ? null : value * scale;
    }

    private static string Format(double? ns) => ns switch
    {
        null => "no result",
        < 1e3 => $"{ns.Value:0.0} ns",
        < 1e6 => $"{ns.Value / 1e3:0.00} µs",
        _ => $"{ns.Value / 1e6:0.00} ms",
    };

    /// <summary>BenchmarkDotNet's CSV: comma-separated, fields with commas quoted.</summary>
    private static string[] Split(string line)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        bool quoted = false;
        foreach (char ch in line)
        {
            if (ch == '"')
            {
                quoted = !quoted;
            }
            else if (ch == ',' && !quoted)
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(ch);
            }
        }

        fields.Add(current.ToString());
        return [.. fields];
    }
}

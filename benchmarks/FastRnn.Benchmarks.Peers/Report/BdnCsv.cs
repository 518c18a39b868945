using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace FastRnn.Benchmarks.Peers.Report;

/// <summary>One row of a BenchmarkDotNet CSV report: its cells by column name.</summary>
internal sealed class BdnRow(IReadOnlyDictionary<string, string> cells)
{
    /// <summary>The cell of <paramref name="column"/>, or empty when the report has no such column.</summary>
    public string this[string column] => cells.TryGetValue(column, out string? v) ? v : string.Empty;

    /// <summary>The benchmark method.</summary>
    public string Method => this["Method"];

    /// <summary>The job id (a path name for <see cref="IsaPathConfig"/> jobs).</summary>
    public string Job => this["Job"];

    /// <summary>Mean time per operation in ns, or null without a result (the case failed).</summary>
    public double? MeanNs => BdnCsv.Nanoseconds(this["Mean"]);

    /// <summary>The Allocated column as BenchmarkDotNet prints it ("-" and "0 B" both mean nothing).</summary>
    public string Allocated => this["Allocated"];

    /// <summary>True when the row allocated nothing per operation.</summary>
    public bool AllocatesNothing => Allocated is "-" or "0 B";
}

/// <summary>Reads BenchmarkDotNet's CSV reports (comma-separated, fields with commas quoted, times with units).</summary>
internal static class BdnCsv
{
    public static List<BdnRow> Read(string path)
    {
        string[] lines = File.ReadAllLines(path);
        var rows = new List<BdnRow>();
        if (lines.Length == 0)
        {
            return rows;
        }

        string[] header = Split(lines[0]);
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            string[] fields = Split(lines[i]);
            var cells = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int c = 0; c < header.Length && c < fields.Length; c++)
            {
                cells[header[c]] = fields[c];
            }

            rows.Add(new BdnRow(cells));
        }

        return rows;
    }

    /// <summary>A time cell ("1,234.5 ns", "12.3 μs", "NA") in ns, or null without a result.</summary>
    public static double? Nanoseconds(string cell)
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

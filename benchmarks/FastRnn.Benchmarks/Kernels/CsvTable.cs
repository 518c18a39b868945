using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace FastRnn.Benchmarks.Kernels;

/// <summary>A BenchmarkDotNet CSV export read back: header names and rows (RFC 4180 quoting).</summary>
internal sealed class CsvTable
{
    private readonly Dictionary<string, int> columns;

    private CsvTable(List<string> header, List<List<string>> rows)
    {
        columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < header.Count; i++)
        {
            columns.TryAdd(header[i], i);
        }

        Rows = rows;
    }

    public IReadOnlyList<List<string>> Rows { get; }

    public static CsvTable Read(string path)
    {
        var records = new List<List<string>>();
        foreach (string line in File.ReadLines(path))
        {
            if (line.Length > 0)
            {
                records.Add(Split(line));
            }
        }

        if (records.Count == 0)
        {
            throw new InvalidDataException($"{path} is empty.");
        }

        return new CsvTable(records[0], records.GetRange(1, records.Count - 1));
    }

    public bool Has(string column) => columns.ContainsKey(column);

    /// <summary>The cell, or null if the column does not exist (e.g. no Gates parameter).</summary>
    public string? Cell(List<string> row, string column) =>
        columns.TryGetValue(column, out int i) && i < row.Count ? row[i] : null;

    /// <summary>A numeric cell ("1,234.5" and "0" accepted; "NA", "-" and missing give null).</summary>
    public double? Number(List<string> row, string column)
    {
        string? text = Cell(row, column)?.Replace(",", string.Empty, StringComparison.Ordinal).Trim();
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : null;
    }

    private static List<string> Split(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (ch == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(ch);
                }
            }
            else if (ch == '"')
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(ch);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace FastRnn.Cli.SelfTest;

/// <summary>The rows of a self-test run, their verdict and the table that shows them.</summary>
internal sealed class SelfTestReport
{
    private readonly List<SelfTestRow> rows = [];

    /// <summary>The rows in the order they were added.</summary>
    public IReadOnlyList<SelfTestRow> Rows => rows;

    /// <summary>Whether there is at least one row and every row passed.</summary>
    public bool AllPassed => rows.Count > 0 && rows.TrueForAll(r => r.Passed);

    /// <summary>The process exit code for this report: 0 when everything passed, else 1.</summary>
    public int ExitCode => AllPassed ? 0 : 1;

    /// <summary>Adds a row.</summary>
    public void Add(SelfTestRow row) => rows.Add(row);

    /// <summary>Writes the table: operation, path, sizes, max error, allowed error, PASS/FAIL.</summary>
    public void WriteTable(TextWriter output)
    {
        string[] header = ["operation", "path", "sizes", "max error", "allowed", "result"];
        var cells = new List<string[]> { header };
        foreach (SelfTestRow row in rows)
        {
            cells.Add(
            [
                row.Operation,
                row.Path,
                row.Sizes,
                Format(row.MaxError),
                Format(row.Allowed),
                row.Passed ? "PASS" : "FAIL",
            ]);
        }

        int[] widths = new int[header.Length];
        foreach (string[] line in cells)
        {
            for (int i = 0; i < line.Length; i++)
            {
                widths[i] = Math.Max(widths[i], line[i].Length);
            }
        }

        for (int n = 0; n < cells.Count; n++)
        {
            string[] line = cells[n];
            var text = new System.Text.StringBuilder();
            for (int i = 0; i < line.Length; i++)
            {
                text.Append(i == 0 ? string.Empty : "  ");
                text.Append(i is 3 or 4 ? line[i].PadLeft(widths[i]) : line[i].PadRight(widths[i]));
            }

            output.WriteLine(text.ToString().TrimEnd());
            if (n == 0)
            {
                output.WriteLine(new string('-', text.ToString().TrimEnd().Length));
            }
        }
    }

    /// <summary>The one-line verdict: how many rows passed, and which failed.</summary>
    public string Verdict()
    {
        int failed = rows.FindAll(r => !r.Passed).Count;
        if (rows.Count == 0)
        {
            return "selftest: FAIL (nothing was checked)";
        }

        return failed == 0
            ? $"selftest: PASS ({rows.Count} checks)"
            : $"selftest: FAIL ({failed} of {rows.Count} checks failed: {string.Join("; ", rows.FindAll(r => !r.Passed).ConvertAll(r => r.Operation + " " + r.Sizes))})";
    }

    private static string Format(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "inf" : value.ToString("0.0E+00", CultureInfo.InvariantCulture);
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using FastRnn.Cli.Output;
using Spectre.Console;

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

    /// <summary>
    /// Writes the table: operation, path, sizes, max error, allowed error, PASS/FAIL (a bordered,
    /// coloured table on a terminal; a plain Markdown table elsewhere, see <see cref="ResultTable"/>).
    /// </summary>
    public void WriteTable(TextWriter output)
    {
        var table = new Table()
            .AddColumn("operation")
            .AddColumn("path")
            .AddColumn("sizes")
            .AddColumn(new TableColumn("max error").RightAligned())
            .AddColumn(new TableColumn("allowed").RightAligned())
            .AddColumn("result");
        foreach (SelfTestRow row in rows)
        {
            table.AddRow(
                new Text(row.Operation),
                new Text(row.Path),
                new Text(row.Sizes),
                new Text(Format(row.MaxError)),
                new Text(Format(row.Allowed)),
                row.Passed ? new Text("PASS", new Style(Color.Green)) : new Text("FAIL", new Style(Color.Red, decoration: Decoration.Bold)));
        }

        ResultTable.Write(table, output);
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

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using FastRnn.Cli.Output;
using FastRnn.Diagnostics;
using Spectre.Console;

namespace FastRnn.Cli.SelfTest;

/// <summary>
/// How <c>fastrnn selftest</c> shows a <see cref="SelfCheckReport"/>: the table, the verdict line
/// and the exit code (the checks themselves live in the library, so a service can run them too).
/// </summary>
internal static class SelfTestReport
{
    /// <summary>The process exit code for a report: 0 when everything passed, else 1.</summary>
    public static int ExitCode(SelfCheckReport report) => report.AllPassed ? 0 : 1;

    /// <summary>
    /// Writes the table: operation, path, sizes, max error, allowed error, PASS/FAIL (a bordered,
    /// coloured table on a terminal; a plain Markdown table elsewhere, see <see cref="ResultTable"/>).
    /// </summary>
    public static void WriteTable(SelfCheckReport report, TextWriter output)
    {
        var table = new Table()
            .AddColumn("operation")
            .AddColumn("path")
            .AddColumn("sizes")
            .AddColumn(new TableColumn("max error").RightAligned())
            .AddColumn(new TableColumn("allowed").RightAligned())
            .AddColumn("result");
        foreach (SelfCheckRow row in report.Rows)
        {
            table.AddRow(
                new Text(row.Operation),
                new Text(row.Path.ToString()),
                new Text(row.Sizes),
                new Text(Format(row.MaxError)),
                new Text(Format(row.Allowed)),
                row.Passed ? new Text("PASS", new Style(Color.Green)) : new Text("FAIL", new Style(Color.Red, decoration: Decoration.Bold)));
        }

        ResultTable.Write(table, output);
    }

    /// <summary>The one-line verdict: how many rows passed, and which failed.</summary>
    public static string Verdict(SelfCheckReport report)
    {
        var rows = new List<SelfCheckRow>(report.Rows);
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

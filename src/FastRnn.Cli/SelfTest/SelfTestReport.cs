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
            (string error, string allowed) = Amounts(row);
            table.AddRow(
                new Text(row.Operation),
                new Text(row.Path.ToString()),
                new Text(row.Sizes),
                new Text(error),
                new Text(allowed),
                row.Passed ? new Text("PASS", new Style(Color.Green)) : new Text("FAIL", new Style(Color.Red, decoration: Decoration.Bold)));
        }

        ResultTable.Write(table, output);
    }

    /// <summary>The one-line verdict: how many rows passed, and which failed with their error and allowance.</summary>
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
            : $"selftest: FAIL ({failed} of {rows.Count} checks failed: {string.Join("; ", rows.FindAll(r => !r.Passed).ConvertAll(Failure))})";
    }

    private static string Failure(SelfCheckRow row)
    {
        (string error, string allowed) = Amounts(row);
        return $"{row.Operation} {row.Sizes}, max error {error} > allowed {allowed}";
    }

    // Two significant digits, and for a failing row as many more as it takes for its error to print
    // differently from its allowance (1.04e-5 against 1e-5 is "1.04E-05" and "1.00E-05", not twice "1.0E-05").
    private static (string Error, string Allowed) Amounts(SelfCheckRow row)
    {
        for (int decimals = 1; ; decimals++)
        {
            string format = "0." + new string('0', decimals) + "E+00";
            string error = Format(row.MaxError, format), allowed = Format(row.Allowed, format);
            if (row.Passed || error != allowed || decimals >= 16)
            {
                return (error, allowed);
            }
        }
    }

    private static string Format(double value, string format) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "inf" : value.ToString(format, CultureInfo.InvariantCulture);
}

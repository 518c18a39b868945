using System;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using FastRnn.Cli.SelfTest;
using FastRnn.Diagnostics;
using FastRnn.Kernels;

namespace FastRnn.Cli.Commands;

/// <summary>
/// <c>fastrnn selftest [--expect-path PATH]</c>: runs every kernel and every cell kind, forward and
/// backward, on this CPU's active ISA path against a built-in double-precision reference, prints
/// the CPU summary and a table, and exits 1 on any failure. With <c>--expect-path</c> (or the
/// <c>FASTRNN_EXPECT_SIMD_PATH</c> environment variable) it also fails when the active path is
/// another one, so a run meant to exercise a vector path cannot silently fall back to scalar.
/// Usage errors exit with 2.
/// </summary>
internal static class SelftestCommand
{
    /// <summary>The environment variable that names the path a run must be on (as the test legs use).</summary>
    public const string ExpectedPathVariable = "FASTRNN_EXPECT_SIMD_PATH";

    private const int UsageErrorExitCode = 2;
    private const string PathNames = "Vector512, Vector256, Vector128 or Scalar";

    /// <summary>The <c>selftest</c> command.</summary>
    public static CliCommand Create()
    {
        Option<SimdPath?> expectPath = CliOptions.Parsed<SimdPath>(
            "--expect-path",
            "Vector512|Vector256|Vector128|Scalar",
            $"Also fail when the active ISA path is another one (default: ${ExpectedPathVariable}).",
            PathNames,
            ParsePath);
        var command = new CliCommand(
            "selftest",
            "Check every kernel and cell kind on this CPU against a double-precision reference (run this first).",
            UsageErrorExitCode)
        {
            expectPath,
        };
        command.SetAction(result => Run(result.GetValue(expectPath), result.InvocationConfiguration.Output));
        return command;
    }

    private static int Run(SimdPath? expectedPath, TextWriter output)
    {
        if (expectedPath is null && Environment.GetEnvironmentVariable(ExpectedPathVariable) is { Length: > 0 } fromEnvironment)
        {
            expectedPath = ParsePath(fromEnvironment);
            if (expectedPath is null)
            {
                Console.Error.WriteLine($"fastrnn selftest: {ExpectedPathVariable} must be {PathNames}, got '{fromEnvironment}'");
                return UsageErrorExitCode;
            }
        }

        var clock = Stopwatch.StartNew();
        output.WriteLine("fastrnn selftest: every kernel and cell on this CPU's active path vs a double-precision reference");
        output.WriteLine(CpuDescription.Summary());
        output.WriteLine();
        SelfCheckReport report = SelfCheck.Run();
        if (expectedPath is SimdPath path)
        {
            var expected = new SelfCheckRow($"active ISA path is {path}", report.ActivePath, $"{ExpectedPathVariable} / --expect-path; active: {report.ActivePath}", report.ActivePath == path ? 0 : 1, 0);
            report = new SelfCheckReport(report.ActivePath, [.. report.Rows, expected]);
        }

        SelfTestReport.WriteTable(report, output);
        output.WriteLine();
        output.WriteLine(SelfTestReport.Verdict(report));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ISA path {report.ActivePath}, {clock.Elapsed.TotalSeconds:F1} s"));
        return SelfTestReport.ExitCode(report);
    }

    /// <summary>A path by its exact name; numbers and other names are not paths.</summary>
    private static SimdPath? ParsePath(string text) =>
        Enum.TryParse(text, ignoreCase: false, out SimdPath parsed) && Enum.IsDefined(parsed) && !int.TryParse(text, out _) ? parsed : null;
}

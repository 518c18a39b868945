using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using FastRnn.Cli.SelfTest;
using FastRnn.Kernels;

namespace FastRnn.Cli.Commands;

/// <summary>
/// <c>fastrnn selftest [--expect-path PATH]</c>: runs every kernel and every cell kind, forward and
/// backward, on this CPU's active ISA path against a built-in double-precision reference, prints
/// the CPU summary and a table, and exits 1 on any failure. With <c>--expect-path</c> (or the
/// <c>FASTRNN_EXPECT_SIMD_PATH</c> environment variable) it also fails when the active path is
/// another one, so a run meant to exercise a vector path cannot silently fall back to scalar.
/// </summary>
internal static class SelftestCommand
{
    /// <summary>The environment variable that names the path a run must be on (as the test legs use).</summary>
    public const string ExpectedPathVariable = "FASTRNN_EXPECT_SIMD_PATH";

    public static int Run(ReadOnlySpan<string> args, TextWriter output)
    {
        string? expected = Environment.GetEnvironmentVariable(ExpectedPathVariable);
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--expect-path" && i + 1 < args.Length)
            {
                expected = args[++i];
            }
            else
            {
                Console.Error.WriteLine($"fastrnn selftest: unexpected argument '{args[i]}'. Usage: fastrnn selftest [--expect-path Vector512|Vector256|Vector128|Scalar]");
                return 2;
            }
        }

        SimdPath? expectedPath = null;
        if (!string.IsNullOrEmpty(expected))
        {
            if (!Enum.TryParse(expected, ignoreCase: false, out SimdPath parsed) || !Enum.IsDefined(parsed) || int.TryParse(expected, out _))
            {
                Console.Error.WriteLine($"fastrnn selftest: unknown ISA path '{expected}'; expected Vector512, Vector256, Vector128 or Scalar.");
                return 2;
            }

            expectedPath = parsed;
        }

        var clock = Stopwatch.StartNew();
        output.WriteLine("fastrnn selftest: every kernel and cell on this CPU's active path vs a double-precision reference");
        output.WriteLine(CpuDescription.Summary());
        output.WriteLine();
        SelfTestReport report = SelfTestSuite.Run();
        if (expectedPath is SimdPath path)
        {
            report.Add(new SelfTestRow($"active ISA path is {path}", Isa.Active.ToString(), $"{ExpectedPathVariable} / --expect-path", Isa.Active == path ? 0 : 1, 0));
        }

        report.WriteTable(output);
        output.WriteLine();
        output.WriteLine(report.Verdict());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ISA path {Isa.Active}, {clock.Elapsed.TotalSeconds:F1} s"));
        return report.ExitCode;
    }
}

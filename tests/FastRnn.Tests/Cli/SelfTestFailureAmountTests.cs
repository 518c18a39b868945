using System;
using System.IO;
using System.Linq;
using FastRnn.Cli.Commands;
using FastRnn.Cli.SelfTest;
using FastRnn.Diagnostics;
using FastRnn.Kernels;
using Xunit;

namespace FastRnn.Tests.Cli;

/// <summary>
/// A failing self-test row says by how much it failed: in the table its error and its allowance never
/// print the same, and the one-line verdict names each failing row's error and allowance (and, for an
/// expected path, the path that is active).
/// </summary>
public sealed class SelfTestFailureAmountTests
{
    [Fact]
    public void ARowJustOverItsAllowancePrintsAnErrorThatDiffersFromTheAllowance()
    {
        var report = new SelfCheckReport(SimdPath.Scalar, [
            new SelfCheckRow("sigmoid", SimdPath.Scalar, "n 3", 1e-8, 1e-7),
            new SelfCheckRow("LSTM forward", SimdPath.Scalar, "I3 H5", 1.04e-5, 1e-5)]);
        var table = new StringWriter();
        SelfTestReport.WriteTable(report, table);
        string failing = table.ToString().Split(Environment.NewLine).Single(l => l.StartsWith("LSTM forward", StringComparison.Ordinal));
        Assert.Contains("1.04E-05", failing, StringComparison.Ordinal);
        Assert.Contains("1.00E-05", failing, StringComparison.Ordinal);
        Assert.EndsWith("FAIL", failing, StringComparison.Ordinal);

        string passing = table.ToString().Split(Environment.NewLine).Single(l => l.StartsWith("sigmoid", StringComparison.Ordinal));
        Assert.Contains("1.0E-08", passing, StringComparison.Ordinal); // passing rows keep two digits

        string verdict = SelfTestReport.Verdict(report);
        Assert.Equal("selftest: FAIL (1 of 2 checks failed: LSTM forward I3 H5, max error 1.04E-05 > allowed 1.00E-05)", verdict);
    }

    [Fact]
    public void TheVerdictNamesAnUnmeasurableError()
    {
        var report = new SelfCheckReport(SimdPath.Scalar, [new SelfCheckRow("GRU backward", SimdPath.Scalar, "I3 H5", double.NaN, 1e-4)]);
        Assert.Equal("selftest: FAIL (1 of 1 checks failed: GRU backward I3 H5, max error NaN > allowed 1.0E-04)", SelfTestReport.Verdict(report));
    }

    [Fact]
    public void ExpectingAnotherPathNamesTheActivePathInTheVerdict()
    {
        SimdPath other = Isa.Active == SimdPath.Scalar ? SimdPath.Vector128 : SimdPath.Scalar;
        var output = new StringWriter();
        Assert.Equal(1, FastRnnCommandLine.Run(["selftest", "--expect-path", other.ToString()], output));
        string verdict = output.ToString().Split(Environment.NewLine).Single(l => l.StartsWith("selftest: FAIL", StringComparison.Ordinal));
        Assert.Contains($"active ISA path is {other}", verdict, StringComparison.Ordinal);
        Assert.Contains($"active: {Isa.Active}", verdict, StringComparison.Ordinal);
    }
}

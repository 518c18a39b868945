using System;
using System.IO;
using FastRnn.Cli.SelfTest;
using FastRnn.Diagnostics;
using FastRnn.Kernels;
using Xunit;

namespace FastRnn.Tests.Cli;

/// <summary>The self-test's verdict and table: a failing or unmeasurable row must fail the run and be shown.</summary>
public sealed class SelfTestReportTests
{
    [Fact]
    public void AllRowsWithinTheirAllowancePass()
    {
        var report = new SelfCheckReport(SimdPath.Vector128, [
            new SelfCheckRow("tanh", SimdPath.Vector128, "n 7", 1e-8, 1e-7),
            new SelfCheckRow("relu (exact)", SimdPath.Vector128, "n 7", 0, 0)]);
        Assert.True(report.AllPassed);
        Assert.Equal(0, SelfTestReport.ExitCode(report));
        Assert.Equal("selftest: PASS (2 checks)", SelfTestReport.Verdict(report));
    }

    [Theory]
    [InlineData(2e-5, 1e-5)]
    [InlineData(double.NaN, 1e-5)]
    [InlineData(double.PositiveInfinity, 1e-4)]
    [InlineData(1e-30, 0)]
    public void ARowOverItsAllowanceOrUnmeasurableFailsTheRun(double error, double allowed)
    {
        var report = new SelfCheckReport(SimdPath.Scalar, [
            new SelfCheckRow("sigmoid", SimdPath.Scalar, "n 3", 0, 1e-7),
            new SelfCheckRow("LSTM backward", SimdPath.Scalar, "I3 H5", error, allowed)]);
        Assert.False(report.AllPassed);
        Assert.Equal(1, SelfTestReport.ExitCode(report));
        Assert.StartsWith("selftest: FAIL (1 of 2 checks failed: LSTM backward I3 H5, max error ", SelfTestReport.Verdict(report), StringComparison.Ordinal);

        var table = new StringWriter();
        SelfTestReport.WriteTable(report, table);
        string[] lines = table.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length); // header, rule, two rows
        Assert.StartsWith("operation", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("PASS", lines[2], StringComparison.Ordinal);
        Assert.EndsWith("FAIL", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptyReportIsNotAPass()
    {
        var report = new SelfCheckReport(SimdPath.Scalar, []);
        Assert.False(report.AllPassed);
        Assert.Equal(1, SelfTestReport.ExitCode(report));
        Assert.Contains("FAIL", SelfTestReport.Verdict(report), StringComparison.Ordinal);
    }

    [Fact]
    public void NaNInTheResultOrAShapeMismatchIsAnInfiniteError()
    {
        Assert.Equal(double.PositiveInfinity, ErrorMeasure.Relative([1f, float.NaN], [1.0, 2.0]));
        Assert.Equal(double.PositiveInfinity, ErrorMeasure.Relative([1f], [1.0, 2.0]));
        Assert.Equal(double.PositiveInfinity, ErrorMeasure.RelativeToTerms([float.NaN], [0.0], 1.0));
        Assert.Equal(0.5 / (2.0 + 1e-6), ErrorMeasure.Relative([1.5f, 2f], [1.0, 2.0]), 12);
        Assert.Equal(0.5 / (10.0 + 1e-6), ErrorMeasure.RelativeToTerms([0.5f], [0.0], 10.0), 12);
    }
}

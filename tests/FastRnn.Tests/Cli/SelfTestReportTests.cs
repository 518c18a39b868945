using System;
using System.IO;
using FastRnn.Cli.SelfTest;
using Xunit;

namespace FastRnn.Tests.Cli;

/// <summary>The self-test's verdict and table: a failing or unmeasurable row must fail the run and be shown.</summary>
public sealed class SelfTestReportTests
{
    [Fact]
    public void AllRowsWithinTheirAllowancePass()
    {
        var report = new SelfTestReport();
        report.Add(new SelfTestRow("tanh", "Vector128", "n 7", 1e-8, 1e-7));
        report.Add(new SelfTestRow("relu (exact)", "Vector128", "n 7", 0, 0));
        Assert.True(report.AllPassed);
        Assert.Equal(0, report.ExitCode);
        Assert.Equal("selftest: PASS (2 checks)", report.Verdict());
    }

    [Theory]
    [InlineData(2e-5, 1e-5)]
    [InlineData(double.NaN, 1e-5)]
    [InlineData(double.PositiveInfinity, 1e-4)]
    [InlineData(1e-30, 0)]
    public void ARowOverItsAllowanceOrUnmeasurableFailsTheRun(double error, double allowed)
    {
        var report = new SelfTestReport();
        report.Add(new SelfTestRow("sigmoid", "Scalar", "n 3", 0, 1e-7));
        report.Add(new SelfTestRow("LSTM backward", "Scalar", "I3 H5", error, allowed));
        Assert.False(report.AllPassed);
        Assert.Equal(1, report.ExitCode);
        Assert.StartsWith("selftest: FAIL (1 of 2 checks failed: LSTM backward I3 H5)", report.Verdict(), StringComparison.Ordinal);

        var table = new StringWriter();
        report.WriteTable(table);
        string[] lines = table.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length); // header, rule, two rows
        Assert.StartsWith("operation", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("PASS", lines[2], StringComparison.Ordinal);
        Assert.EndsWith("FAIL", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptyReportIsNotAPass()
    {
        var report = new SelfTestReport();
        Assert.False(report.AllPassed);
        Assert.Equal(1, report.ExitCode);
        Assert.Contains("FAIL", report.Verdict(), StringComparison.Ordinal);
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

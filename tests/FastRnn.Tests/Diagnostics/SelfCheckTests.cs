using System;
using System.Collections.Generic;
using FastRnn.Diagnostics;
using FastRnn.Kernels;
using Xunit;

namespace FastRnn.Tests.Diagnostics;

/// <summary>The library's self-check called directly, as a service's health check would, without the CLI.</summary>
public sealed class SelfCheckTests
{
    // 6 activation rows, 8 ONNX activations, 5 float products, 4 bf16 products, 2 paired row products (summed, apart), 7 int8 products,
    // 1 transposed product, 10 forward (4 with ONNX's clip, one with coupled gates) and 6 backward epilogues,
    // 11 networks forward and backward, 8 of them also step by step through a streaming session: the
    // same on every path.
    private const int ExpectedRows = 79;

    [Fact]
    public void RunPassesOnTheActivePathWithEveryCheck()
    {
        SelfCheckReport report = SelfCheck.Run();
        var failed = new List<SelfCheckRow>(report.Rows).FindAll(r => !r.Passed);
        Assert.True(report.AllPassed, string.Join("; ", failed.ConvertAll(r => $"{r.Operation} {r.Sizes}: {r.MaxError} > {r.Allowed}")));
        Assert.Equal(ExpectedRows, report.Rows.Count);
        Assert.Equal(Isa.Active, report.ActivePath);
        Assert.All(report.Rows, r => Assert.Equal(Isa.Active, r.Path));
    }

    [Fact]
    public void AReportCopiesItsRowsAndOneFailingRowFailsIt()
    {
        var rows = new List<SelfCheckRow> { new("tanh", SimdPath.Scalar, "n 3", 0, 1e-7) };
        var report = new SelfCheckReport(SimdPath.Scalar, rows);
        rows.Add(new SelfCheckRow("sigmoid", SimdPath.Scalar, "n 3", double.NaN, 1e-7));
        Assert.Single(report.Rows);
        Assert.True(report.AllPassed);
        Assert.False(new SelfCheckReport(SimdPath.Scalar, rows).AllPassed);
        Assert.Throws<ArgumentNullException>(() => new SelfCheckReport(SimdPath.Scalar, null!));
        ArgumentException nullRow = Assert.Throws<ArgumentException>(() => new SelfCheckReport(SimdPath.Scalar, [rows[0], null!]));
        Assert.Contains("Row 1 of 2 is null", nullRow.Message, StringComparison.Ordinal);
    }
}

using System;
using System.IO;
using FastRnn.Cli.Commands;
using FastRnn.Kernels;
using Xunit;

namespace FastRnn.Tests.Cli;

/// <summary>`fastrnn selftest` in-process: it passes on this CPU's path, and it fails when told to expect another path.</summary>
public sealed class SelftestCommandTests
{
    [Fact]
    public void SelftestPassesOnTheActivePathAndPrintsTheTable()
    {
        var output = new StringWriter();
        int exit = FastRnnCommandLine.Run(["selftest"], output);
        string text = output.ToString();
        Assert.True(exit == 0, text);
        Assert.Contains("selftest: PASS", text, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL", text, StringComparison.Ordinal);
        Assert.Contains($"ISA path:       {Isa.Active}", text, StringComparison.Ordinal);
        foreach (string operation in new[] { "sigmoid", "tanh", "relu", "PackedMatMul gates=4", "TransposedProduct", "LstmEpilogue peephole", "GruBackwardEpilogue reset-before", "LSTM projection backward", "GRU reset-before forward", "GRU bidirectional, lengths backward" })
        {
            Assert.Contains(operation, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ExpectingTheActivePathPasses()
    {
        var output = new StringWriter();
        Assert.Equal(0, FastRnnCommandLine.Run(["selftest", "--expect-path", Isa.Active.ToString()], output));
        Assert.Contains($"active ISA path is {Isa.Active}", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ExpectingAnotherPathFailsTheRunAndSaysWhy()
    {
        SimdPath other = Isa.Active == SimdPath.Scalar ? SimdPath.Vector128 : SimdPath.Scalar;
        var output = new StringWriter();
        int exit = FastRnnCommandLine.Run(["selftest", "--expect-path", other.ToString()], output);
        string text = output.ToString();
        Assert.Equal(1, exit);
        Assert.Contains($"active ISA path is {other}", text, StringComparison.Ordinal);
        Assert.Contains("selftest: FAIL (1 of", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--expect-path", "Vector1024")]
    [InlineData("--expect-path", "2")]
    [InlineData("--fast", null)]
    public void BadArgumentsAreRefusedWithExitCode2(string option, string? value)
    {
        string[] args = value is null ? ["selftest", option] : ["selftest", option, value];
        Assert.Equal(2, FastRnnCommandLine.Run(args, new StringWriter(), new StringWriter()));
    }
}

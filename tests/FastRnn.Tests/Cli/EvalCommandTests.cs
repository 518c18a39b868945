using System;
using System.Collections.Generic;
using System.IO;
using FastRnn.Cli.Commands;
using FastRnn.IO;
using FastRnn.Tests.Reference;
using Xunit;

namespace FastRnn.Tests.Cli;

/// <summary>`fastrnn eval` over every conformance case, and its refusal of bad input.</summary>
public sealed class EvalCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fastrnn-eval-").FullName;

    public static IEnumerable<object[]> Cases()
    {
        foreach (string name in ConformanceCase.Names())
        {
            yield return [name];
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EvalWritesEveryForwardAndGradientTensorOfEveryCase(string name)
    {
        string result = Path.Combine(folder, name + ".out.safetensors");
        int exit = FastRnnCommandLine.Run(["eval", Path.Combine(ConformanceCase.Folder, name + ".safetensors"), "--out", result]);
        Assert.Equal(0, exit);

        ConformanceCase c = ConformanceCase.Load(name);
        SafeTensorsFile written = SafeTensorsFile.Read(result);
        Assert.Equal(c.Expected.Count, written.Tensors.Count);
        foreach ((string tensor, double[] expected) in c.Expected)
        {
            Assert.True(written.Contains(tensor), $"{name}: {tensor} not written");
            Assert.Equal(SafeTensorsDType.F32, written.Get(tensor).DType);
            Assert.Equal(string.Join(",", c.Shapes[tensor]), string.Join(",", written.Get(tensor).Shape));
            double tolerance = tensor.StartsWith("grad.", StringComparison.Ordinal) ? 1e-4 : 1e-5;
            double error = ReferenceTolerance.RelativeError(written.ReadFloat64(tensor), expected);
            Assert.True(error <= tolerance, $"{name}: {tensor} relative error {error:E3} > {tolerance:E0}");
        }
    }

    [Fact]
    public void CheckOptionPassesOnACase() =>
        Assert.Equal(0, FastRnnCommandLine.Run(["eval", Path.Combine(ConformanceCase.Folder, "lstm_peephole_bi_l2_lengths_b3.safetensors"), "--check"]));

    [Fact]
    public void BadInputFailsWithoutWritingAResult()
    {
        string garbage = Path.Combine(folder, "garbage.safetensors");
        File.WriteAllBytes(garbage, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        string result = Path.Combine(folder, "never.safetensors");
        Assert.Equal(1, FastRnnCommandLine.Run(["eval", garbage, "--out", result]));
        Assert.Equal(1, FastRnnCommandLine.Run(["eval", Path.Combine(folder, "missing.safetensors"), "--out", result]));
        Assert.Equal(2, FastRnnCommandLine.Run(["eval", "--out", result]));
        Assert.False(File.Exists(result));
        Assert.Empty(Directory.GetFiles(folder, "never*"));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}

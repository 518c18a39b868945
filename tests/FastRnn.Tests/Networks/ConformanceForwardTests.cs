using System.Collections.Generic;
using FastRnn.Networks;
using FastRnn.Tests.Reference;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>Every PyTorch conformance case, forward: output, h_n and c_n within 1e-5 relative.</summary>
public sealed class ConformanceForwardTests
{
    private const double Tolerance = 1e-5;

    public static IEnumerable<object[]> Cases()
    {
        foreach (string name in ConformanceCase.Names())
        {
            yield return [name];
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardMatchesPyTorch(string name)
    {
        ConformanceCase c = ConformanceCase.Load(name);
        RecurrentNetwork network = NetworkFactory.Build(c.Config, c.Weights);
        (float[] output, float[] hn, float[]? cn) = NetworkFactory.Forward(
            network, NetworkFactory.ToFloat(c.Input)!, c.SeqLen, c.Batch, NetworkFactory.ToFloat(c.H0), NetworkFactory.ToFloat(c.C0), NetworkFactory.ToInt(c.Lengths));

        AssertClose(name, "output", output, c.Expected["output"]);
        AssertClose(name, "h_n", hn, c.Expected["h_n"]);
        if (c.Expected.TryGetValue("c_n", out double[]? expectedCn))
        {
            Assert.NotNull(cn);
            AssertClose(name, "c_n", cn!, expectedCn);
        }
    }

    private static void AssertClose(string name, string tensor, float[] actual, double[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double error = ReferenceTolerance.RelativeError(NetworkFactory.ToDouble(actual), expected);
        Assert.True(error <= Tolerance, $"{name}: {tensor} relative error {error:E3} > {Tolerance:E0}");
    }
}

using System.Collections.Generic;
using FastRnn.Networks;
using FastRnn.Tests.Networks;
using FastRnn.Tests.Reference;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>Every PyTorch conformance case, backward: every gradient within 1e-4 relative.</summary>
public sealed class ConformanceGradientTests
{
    private const double Tolerance = 1e-4;

    public static IEnumerable<object[]> Cases() => ConformanceForwardTests.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientsMatchPyTorch(string name)
    {
        ConformanceCase c = ConformanceCase.Load(name);
        RecurrentNetwork network = NetworkFactory.Build(c.Config, c.Weights);
        Dictionary<string, float[]> actual = TrainingHarness.Gradients(
            network, NetworkFactory.ToFloat(c.Input)!, c.SeqLen, c.Batch, NetworkFactory.ToFloat(c.H0), NetworkFactory.ToFloat(c.C0), NetworkFactory.ToInt(c.Lengths),
            NetworkFactory.ToFloat(c.GradOutput)!, NetworkFactory.ToFloat(c.GradHN), NetworkFactory.ToFloat(c.GradCN));

        int checkedTensors = 0;
        foreach ((string tensor, double[] expected) in c.Expected)
        {
            if (!tensor.StartsWith("grad.", System.StringComparison.Ordinal))
            {
                continue;
            }

            Assert.True(actual.ContainsKey(tensor), $"{name}: no computed {tensor}");
            double error = ReferenceTolerance.RelativeError(NetworkFactory.ToDouble(actual[tensor]), expected);
            Assert.True(error <= Tolerance, $"{name}: {tensor} relative error {error:E3} > {Tolerance:E0}");
            checkedTensors++;
        }

        Assert.True(checkedTensors >= 3, $"{name}: only {checkedTensors} gradient tensors found");
    }
}

using System;
using System.Collections.Generic;
using FastRnn.Networks;
using FastRnn.Tests.Kernels;
using FastRnn.Tests.Reference;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// Every cell kind's forward pass against the reference at each hidden size on both sides of every
/// vector width and panel (one thread, so the step is the whole step): a unit count that ends inside a
/// panel (an RNN's panel is four vectors of units) is the case the random properties reach only by
/// chance. Runs on the process's path; each ISA leg covers its own width.
/// </summary>
public sealed class HiddenSizeEdgeForwardTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<ReferenceMode> Modes() => new() { ReferenceMode.RnnTanh, ReferenceMode.RnnRelu, ReferenceMode.Gru, ReferenceMode.Lstm };

    [Theory]
    [MemberData(nameof(Modes))]
    public void ForwardMatchesTheReferenceAtEveryEdgeHiddenSize(ReferenceMode mode)
    {
        var failures = new List<string>();
        foreach (int hidden in TestSizes.Lengths)
        {
            if (hidden == 0)
            {
                continue;
            }

            var config = new ReferenceConfig { Mode = mode, InputSize = 5, HiddenSize = hidden };
            var random = new Random(hidden);
            Dictionary<string, double[]> weights = NetworkFactory.RandomWeights(config, random, 0.6 * Math.Min(1.0, 4.0 / Math.Sqrt(hidden)));
            const int steps = 3, batch = 2;
            double[] input = NetworkFactory.RandomFloats(random, steps * batch * config.InputSize, 1.5);
            ReferenceForwardResult expected = ReferenceNetwork.Forward(config, weights, input, steps, batch, null, null, null);
            RecurrentNetwork network = NetworkFactory.Build(config, weights);
            (float[] output, float[] hn, _) = NetworkFactory.Forward(network, NetworkFactory.ToFloat(input)!, steps, batch, null, null, null);
            double scale = expected.StateScale;
            double error = Math.Max(
                ReferenceTolerance.RelativeErrorAtScale(NetworkFactory.ToDouble(output), expected.Output, scale),
                ReferenceTolerance.RelativeErrorAtScale(NetworkFactory.ToDouble(hn), expected.HN, scale));
            if (!(error <= Tolerance))
            {
                failures.Add($"hidden {hidden}: relative error {error:E3}");
            }
        }

        Assert.True(failures.Count == 0, $"{mode} differs from the reference (tolerance {Tolerance:E0}) at {string.Join("; ", failures)}");
    }
}

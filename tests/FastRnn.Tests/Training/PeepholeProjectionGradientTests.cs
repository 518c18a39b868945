using System;
using System.Collections.Generic;
using FastRnn.Tests.Networks;
using FastRnn.Tests.Reference;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>
/// An LSTM with both peepholes and a projection (the random problems draw one or the other, and
/// PyTorch has no peepholes): every gradient against the double-precision reference, with lengths,
/// initial states and final-state gradients, stacked and bidirectional, on two threads.
/// </summary>
public sealed class PeepholeProjectionGradientTests
{
    [Theory]
    [InlineData(1, false, false)]
    [InlineData(2, true, false)]
    [InlineData(2, true, true)]
    public void EveryGradientMatchesTheReference(int layers, bool bidirectional, bool batchFirst)
    {
        var config = new ReferenceConfig
        {
            Mode = ReferenceMode.Lstm, Variant = ReferenceVariant.Peephole, InputSize = 5, HiddenSize = 7, ProjSize = 3,
            NumLayers = layers, Bidirectional = bidirectional, BatchFirst = batchFirst,
        };
        var random = new Random(5);
        Dictionary<string, double[]> weights = NetworkFactory.RandomWeights(config, random, 0.6);
        const int steps = 5, batch = 3;
        int slots = layers * config.Directions;
        double[] input = NetworkFactory.RandomFloats(random, steps * batch * 5, 1.5);
        double[] h0 = NetworkFactory.RandomFloats(random, slots * batch * 3, 1);
        double[] c0 = NetworkFactory.RandomFloats(random, slots * batch * 7, 1);
        double[] gradOutput = NetworkFactory.RandomFloats(random, steps * batch * config.Directions * 3, 1);
        double[] gradHn = NetworkFactory.RandomFloats(random, slots * batch * 3, 1);
        double[] gradCn = NetworkFactory.RandomFloats(random, slots * batch * 7, 1);
        long[] lengths = [5, 2, 4];

        ReferenceGradients expected = ReferenceNetwork.Backward(config, weights, input, steps, batch, h0, c0, lengths, gradOutput, gradHn, gradCn);
        Dictionary<string, float[]> actual = TrainingHarness.Gradients(
            NetworkFactory.Build(config, weights), NetworkFactory.ToFloat(input)!, steps, batch, NetworkFactory.ToFloat(h0), NetworkFactory.ToFloat(c0),
            NetworkFactory.ToInt(lengths), NetworkFactory.ToFloat(gradOutput)!, NetworkFactory.ToFloat(gradHn), NetworkFactory.ToFloat(gradCn), threads: 2);

        Check("grad.input", expected.GradInput);
        Check("grad.h0", expected.GradH0);
        Check("grad.c0", expected.GradC0!);
        foreach ((string name, double[] g) in expected.GradWeights)
        {
            Check("grad." + name, g);
        }

        void Check(string name, double[] e)
        {
            double error = ReferenceTolerance.RelativeError(NetworkFactory.ToDouble(actual[name]), e);
            Assert.True(error <= 1e-4, $"{name}: relative error {error:E3}");
        }
    }
}

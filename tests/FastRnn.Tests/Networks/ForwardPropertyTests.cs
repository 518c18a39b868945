using System;
using System.Collections.Generic;
using FastRnn.Networks;
using FastRnn.Tests.Reference;
using FsCheck.Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>The fast forward pass against the double-precision reference for random configurations.</summary>
public sealed class ForwardPropertyTests
{
    private const double Tolerance = 1e-5;

    [Property(MaxTest = 120)]
    public bool ForwardMatchesReference(int seed)
    {
        RandomProblem p = RandomProblem.From(seed);
        ReferenceConfig c = p.Config;
        var random = new Random(seed ^ 0x5eed);
        Dictionary<string, double[]> weights = NetworkFactory.RandomWeights(c, random, 0.6);
        double[] input = NetworkFactory.RandomFloats(random, p.Steps * p.Batch * c.InputSize, 1.5);
        int slots = c.NumLayers * c.Directions;
        double[]? h0 = p.WithInitialState ? NetworkFactory.RandomFloats(random, slots * p.Batch * c.OutputHidden, 1.0) : null;
        double[]? c0 = p.WithInitialState && c.IsLstm ? NetworkFactory.RandomFloats(random, slots * p.Batch * c.HiddenSize, 1.0) : null;
        long[]? lengths = null;
        if (p.WithLengths)
        {
            lengths = new long[p.Batch];
            for (int b = 0; b < p.Batch; b++)
            {
                lengths[b] = 1 + random.Next(p.Steps);
            }
        }

        ReferenceForwardResult expected = ReferenceNetwork.Forward(c, weights, input, p.Steps, p.Batch, h0, c0, lengths);
        RecurrentNetwork network = NetworkFactory.Build(c, weights);
        (float[] output, float[] hn, float[]? cn) = NetworkFactory.Forward(
            network, NetworkFactory.ToFloat(input)!, p.Steps, p.Batch, NetworkFactory.ToFloat(h0), NetworkFactory.ToFloat(c0), NetworkFactory.ToInt(lengths));

        bool ok = ReferenceTolerance.RelativeError(NetworkFactory.ToDouble(output), expected.Output) <= Tolerance
            && ReferenceTolerance.RelativeError(NetworkFactory.ToDouble(hn), expected.HN) <= Tolerance
            && (cn is null || ReferenceTolerance.RelativeError(NetworkFactory.ToDouble(cn), expected.CN!) <= Tolerance);
        if (!ok)
        {
            throw new InvalidOperationException($"Mismatch for {p}: output {ReferenceTolerance.RelativeError(NetworkFactory.ToDouble(output), expected.Output):E3}, h_n {ReferenceTolerance.RelativeError(NetworkFactory.ToDouble(hn), expected.HN):E3}");
        }

        return ok;
    }
}

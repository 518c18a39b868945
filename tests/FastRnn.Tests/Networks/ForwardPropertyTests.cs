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

    [Property(MaxTest = 120, Arbitrary = [typeof(NetworkArbitraries)])]
    public bool ForwardMatchesReference(RandomProblem p)
    {
        ReferenceConfig c = p.Config;
        var random = new Random(p.Seed);
        Dictionary<string, double[]> weights = NetworkFactory.RandomWeights(c, random, p.WeightScale);
        double[] input = NetworkFactory.RandomFloats(random, p.Steps * p.Batch * c.InputSize, 1.5);
        int slots = c.NumLayers * c.Directions;
        double[]? h0 = p.WithInitialState ? NetworkFactory.RandomFloats(random, slots * p.Batch * c.OutputHidden, 1.0) : null;
        double[]? c0 = p.WithInitialState && c.IsLstm ? NetworkFactory.RandomFloats(random, slots * p.Batch * c.HiddenSize, 1.0) : null;
        long[]? lengths = p.ReferenceLengths;

        ReferenceForwardResult expected = ReferenceNetwork.Forward(c, weights, input, p.Steps, p.Batch, h0, c0, lengths);
        RecurrentNetwork network = NetworkFactory.Build(c, weights);
        (float[] output, float[] hn, float[]? cn) = NetworkFactory.Forward(
            network, NetworkFactory.ToFloat(input)!, p.Steps, p.Batch, NetworkFactory.ToFloat(h0), NetworkFactory.ToFloat(c0), p.Lengths, p.Threads);

        double tolerance = p.ScaledTolerance(Tolerance);
        double scale = expected.StateScale;
        double outputError = ReferenceTolerance.RelativeErrorAtScale(NetworkFactory.ToDouble(output), expected.Output, scale);
        double hnError = ReferenceTolerance.RelativeErrorAtScale(NetworkFactory.ToDouble(hn), expected.HN, scale);
        double cnError = cn is null ? 0.0 : ReferenceTolerance.RelativeErrorAtScale(NetworkFactory.ToDouble(cn), expected.CN!, scale);
        bool ok = outputError <= tolerance && hnError <= tolerance && cnError <= tolerance;
        if (!ok)
        {
            throw new InvalidOperationException(
                $"Mismatch for {p} (tolerance {tolerance:E2}, state scale {scale:E2}): output {outputError:E3}, h_n {hnError:E3}, c_n {cnError:E3}");
        }

        return ok;
    }
}

using System;
using FastRnn.Layers;
using FastRnn.Networks;
using FastRnn.Tests.Reference;
using FsCheck.Xunit;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>A workspace with several threads gives bit-identical results to one thread (allocation: <see cref="ZeroAllocationTests"/>).</summary>
public sealed class ThreadCountTests
{
    [Property(MaxTest = 60, Arbitrary = [typeof(NetworkArbitraries)])]
    public bool ResultsDoNotDependOnTheThreadCount(RandomProblem p, bool quantized)
    {
        ReferenceConfig c = p.Config;
        var random = new Random(p.Seed);
        RecurrentNetwork network = WithFormat(NetworkFactory.Build(c, NetworkFactory.RandomWeights(c, random, 0.6)), quantized);
        NetworkDescription d = network.Description;
        float[] input = NetworkFactory.ToFloat(NetworkFactory.RandomFloats(random, p.Steps * p.Batch * c.InputSize, 1.5))!;
        int[] lengths = new int[p.Batch];
        for (int b = 0; b < p.Batch; b++)
        {
            lengths[b] = p.WithLengths ? 1 + random.Next(p.Steps) : p.Steps;
        }

        int slots = d.NumLayers * d.Directions;
        float[]? expected = null, expectedH = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            SequenceWorkspace ws = network.CreateWorkspace(p.Batch, p.Steps, threads);
            float[] output = new float[p.Steps * p.Batch * d.OutputSize];
            float[] hn = new float[slots * p.Batch * d.StateSize];
            network.Forward(ws, input, p.Steps, p.Batch, output, final: new FinalState(hn), lengths: lengths);
            if (expected is null)
            {
                expected = output;
                expectedH = hn;
            }
            else if (!expected.AsSpan().SequenceEqual(output) || !expectedH.AsSpan().SequenceEqual(hn))
            {
                return false;
            }
        }

        return true;
    }

    [Property(MaxTest = 40, Arbitrary = [typeof(NetworkArbitraries)])]
    public bool GradientsDoNotDependOnTheThreadCount(RandomProblem p)
    {
        ReferenceConfig c = p.Config;
        var random = new Random(p.Seed);
        RecurrentNetwork network = NetworkFactory.Build(c, NetworkFactory.RandomWeights(c, random, 0.6));
        NetworkDescription d = network.Description;
        float[] input = NetworkFactory.ToFloat(NetworkFactory.RandomFloats(random, p.Steps * p.Batch * c.InputSize, 1.5))!;
        float[] gradOutput = NetworkFactory.ToFloat(NetworkFactory.RandomFloats(random, p.Steps * p.Batch * d.OutputSize, 1.0))!;
        int[] lengths = new int[p.Batch];
        for (int b = 0; b < p.Batch; b++)
        {
            lengths[b] = p.WithLengths ? 1 + random.Next(p.Steps) : p.Steps;
        }

        float[]? expected = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var session = new FastRnn.Training.TrainingSession(network, p.Batch, p.Steps, threads: threads);
            var gradients = new FastRnn.Training.GradientBuffer(network);
            float[] gradInput = new float[input.Length];
            session.Forward(input, p.Steps, p.Batch, new float[gradOutput.Length], lengths: lengths);
            session.Backward(gradOutput, gradients, gradInput: gradInput);
            var all = new System.Collections.Generic.List<float>(gradInput);
            foreach (string name in gradients.Names)
            {
                all.AddRange(gradients.Get(name).ToArray());
            }

            float[] flat = all.ToArray();
            if (expected is null)
            {
                expected = flat;
            }
            else if (!expected.AsSpan().SequenceEqual(flat))
            {
                return false;
            }
        }

        return true;
    }

    // int8 networks run the integer kernel, whose row results are bit-identical by construction too.
    private static RecurrentNetwork WithFormat(RecurrentNetwork network, bool quantized) =>
        quantized ? network.WithWeightFormat(WeightFormat.Int8) : network;
}

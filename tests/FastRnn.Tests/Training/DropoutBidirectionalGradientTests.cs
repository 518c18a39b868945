using System;
using System.Collections.Generic;
using System.Linq;
using FastRnn.Networks;
using FastRnn.Tests.Networks;
using FastRnn.Training;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>
/// Dropout between the layers of a bidirectional, batch-first stack with a projection and
/// sequences of different lengths (the masks cover both directions' columns and the rows are sorted
/// by length): the input and weight gradients agree with central differences of the loss, which a
/// fresh session with the same seed makes a fixed function (the same first masks).
/// </summary>
public sealed class DropoutBidirectionalGradientTests
{
    [Theory]
    [InlineData(CellKind.Lstm, 3, 1)]
    [InlineData(CellKind.Gru, 0, 2)]
    public void GradientsMatchCentralDifferences(CellKind kind, int projection, int threads)
    {
        var description = new NetworkDescription(kind, 3, 5) { ProjectionSize = projection, NumLayers = 3, Bidirectional = true, BatchFirst = true };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, 5);
        Dictionary<string, float[]> weights = network.ParameterNames.ToDictionary(n => n, n => network.GetParameter(n).ToArray());
        const int steps = 4, batch = 3;
        int[] lengths = [2, 4, 3];
        var random = new Random(1);
        float[] input = NetworkFactory.ToFloat(NetworkFactory.RandomFloats(random, steps * batch * 3, 1))!;
        float[] gradOutput = NetworkFactory.ToFloat(NetworkFactory.RandomFloats(random, steps * batch * description.OutputSize, 1))!;

        double Loss(RecurrentNetwork net, float[] x)
        {
            using var session = new TrainingSession(net, batch, steps, dropout: 0.4f, seed: 11, threads: threads);
            float[] output = new float[gradOutput.Length];
            session.Forward(x, steps, batch, output, lengths: lengths);
            double sum = 0;
            for (int i = 0; i < output.Length; i++)
            {
                sum += (double)output[i] * gradOutput[i];
            }

            return sum;
        }

        using var training = new TrainingSession(network, batch, steps, dropout: 0.4f, seed: 11, threads: threads);
        training.Forward(input, steps, batch, new float[gradOutput.Length], lengths: lengths);
        var gradients = new GradientBuffer(network);
        float[] gradInput = new float[input.Length];
        training.Backward(gradOutput, gradients, gradInput: gradInput);

        const float Epsilon = 1e-2f;
        for (int i = 0; i < input.Length; i++)
        {
            float[] plus = (float[])input.Clone(), minus = (float[])input.Clone();
            plus[i] += Epsilon;
            minus[i] -= Epsilon;
            double numeric = (Loss(network, plus) - Loss(network, minus)) / (2 * Epsilon);
            Assert.True(Math.Abs(numeric - gradInput[i]) <= 2e-3 * (1 + Math.Abs(numeric)), $"input[{i}]: backward {gradInput[i]}, central difference {numeric}");
        }

        foreach (string name in new[] { "weight_ih_l1_reverse", "weight_hh_l2", "bias_ih_l1", "weight_ih_l2_reverse" }.Concat(projection > 0 ? ["weight_hr_l1_reverse"] : []))
        {
            float[] analytic = gradients.Get(name).ToArray();
            for (int i = 0; i < analytic.Length; i += 3)
            {
                var plus = new Dictionary<string, float[]>(weights) { [name] = (float[])weights[name].Clone() };
                var minus = new Dictionary<string, float[]>(weights) { [name] = (float[])weights[name].Clone() };
                plus[name][i] += Epsilon;
                minus[name][i] -= Epsilon;
                double numeric = (Loss(RecurrentNetwork.Create(description, plus), input) - Loss(RecurrentNetwork.Create(description, minus), input)) / (2 * Epsilon);
                Assert.True(Math.Abs(numeric - analytic[i]) <= 2e-3 * (1 + Math.Abs(numeric)), $"{name}[{i}]: backward {analytic[i]}, central difference {numeric}");
            }
        }
    }
}

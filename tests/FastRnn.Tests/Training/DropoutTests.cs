using System;
using FastRnn.Networks;
using FastRnn.Training;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>Dropout between stacked layers: seeded masks, and gradients that agree with finite differences.</summary>
public sealed class DropoutTests
{
    [Fact]
    public void MasksAreSeededAndScaled()
    {
        float[] a = new float[10_000], b = new float[10_000];
        new Dropout(0.3f, 7).NextMask(a);
        new Dropout(0.3f, 7).NextMask(b);
        Assert.Equal(a, b);
        int zeros = 0;
        foreach (float m in a)
        {
            Assert.True(m == 0f || Math.Abs(m - (1f / 0.7f)) < 1e-6f);
            zeros += m == 0f ? 1 : 0;
        }

        Assert.InRange(zeros / 10_000.0, 0.27, 0.33);
    }

    [Fact]
    public void GradientsWithDropoutBetweenLayersMatchFiniteDifferences()
    {
        var description = new NetworkDescription(CellKind.Lstm, 3, 4) { NumLayers = 2 };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, 5);
        const int steps = 4, batch = 2;
        var random = new Random(1);
        float[] input = new float[steps * batch * 3];
        float[] weights = new float[steps * batch * 4];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (float)((random.NextDouble() * 2) - 1);
        }

        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)((random.NextDouble() * 2) - 1);
        }

        // The same seed gives every fresh session the same first mask, so the loss is a fixed function of the input.
        double Loss(float[] x)
        {
            var session = new TrainingSession(network, batch, steps, dropout: 0.4f, seed: 11);
            float[] output = new float[weights.Length];
            session.Forward(x, steps, batch, output);
            double sum = 0;
            for (int i = 0; i < output.Length; i++)
            {
                sum += (double)output[i] * weights[i];
            }

            return sum;
        }

        var training = new TrainingSession(network, batch, steps, dropout: 0.4f, seed: 11);
        training.Forward(input, steps, batch, new float[weights.Length]);
        float[] gradInput = new float[input.Length];
        training.Backward(weights, new GradientBuffer(network), gradInput: gradInput);
        for (int i = 0; i < input.Length; i++)
        {
            float[] plus = (float[])input.Clone(), minus = (float[])input.Clone();
            plus[i] += 1e-2f;
            minus[i] -= 1e-2f;
            double fd = (Loss(plus) - Loss(minus)) / 2e-2;
            Assert.True(Math.Abs(fd - gradInput[i]) <= 2e-3 + (2e-2 * Math.Abs(fd)), $"input {i}: finite difference {fd}, backward {gradInput[i]}");
        }

        // And dropout changes the result compared with none.
        Assert.NotEqual(Loss(input), LossWithout(network, input, weights, steps, batch));
    }

    private static double LossWithout(RecurrentNetwork network, float[] x, float[] weights, int steps, int batch)
    {
        float[] output = new float[weights.Length];
        network.Forward(network.CreateWorkspace(batch, steps), x, steps, batch, output);
        double sum = 0;
        for (int i = 0; i < output.Length; i++)
        {
            sum += (double)output[i] * weights[i];
        }

        return sum;
    }
}

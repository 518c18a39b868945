using System;
using FastRnn.Networks;
using FastRnn.Training;
using FastRnn.Training.Losses;
using Xunit;

namespace FastRnn.Tests.Reliability;

/// <summary>A deliberately unstable ReLU RNN (recurrent spectral radius about 3) trains without NaN when its gradients are clipped.</summary>
public sealed class ExplodingGradientTests
{
    private const int Steps = 30, Batch = 2, Input = 2, Hidden = 8;

    [Fact]
    public void ClippingKeepsAnUnstableRnnFiniteThroughTraining()
    {
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.RnnRelu, Input, Hidden), 41);
        float[] whh = network.MutableParameter("weight_hh_l0");
        for (int i = 0; i < Hidden; i++)
        {
            whh[(i * Hidden) + i] += 3f; // eigenvalues near 3: activations and gradients grow about 3x per step
        }

        network.Repack();
        var random = new Random(42);
        float[] input = new float[Steps * Batch * Input], target = new float[Steps * Batch * Hidden];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (float)random.NextDouble();
        }

        var session = new TrainingSession(network, Batch, Steps);
        var gradients = new GradientBuffer(network);
        float[] output = new float[target.Length], gradOutput = new float[target.Length];
        double firstNorm = 0;
        for (int step = 0; step < 25; step++)
        {
            session.Forward(input, Steps, Batch, output);
            float loss = MeanSquaredError.Compute(output, target, gradOutput);
            gradients.Zero();
            session.Backward(gradOutput, gradients);
            double norm = GradientClipping.ClipByGlobalNorm(gradients, maxNorm: 1.0);
            firstNorm = step == 0 ? norm : firstNorm;
            Assert.True(float.IsFinite(loss), $"step {step}: loss {loss}");
            Assert.True(double.IsFinite(norm), $"step {step}: gradient norm {norm}");
            Assert.InRange(GradientClipping.GlobalNorm(gradients), 0, 1.0 + 1e-5);
            foreach (string name in network.ParameterNames)
            {
                float[] w = network.MutableParameter(name);
                ReadOnlySpan<float> g = gradients.Get(name);
                for (int i = 0; i < w.Length; i++)
                {
                    w[i] -= 0.05f * g[i];
                    Assert.True(float.IsFinite(w[i]), $"step {step}: {name}[{i}] = {w[i]}");
                }
            }

            network.Repack();
        }

        Assert.True(firstNorm > 1e6, $"the first gradient norm was only {firstNorm:E2}: the network is not unstable enough to test clipping");
    }
}

using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using FastRnn.Networks;
using FastRnn.Tests.Networks;
using FastRnn.Tests.Reference;
using FastRnn.Training;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>Determinism across threads, clipping and truncated BPTT (allocation: <see cref="TrainingAllocationTests"/>).</summary>
public sealed class TrainingBehaviourTests
{
    [Fact]
    public void GradientsAreBitIdenticalWhateverTheThreadCount()
    {
        var description = new NetworkDescription(CellKind.Gru, 9, 24) { NumLayers = 2 };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, 8);
        float[][] single = new float[4][];
        for (int i = 0; i < single.Length; i++)
        {
            single[i] = Run(network, i);
        }

        float[][] parallel = new float[4][];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = Run(network, i));
        for (int i = 0; i < single.Length; i++)
        {
            Assert.Equal(single[i], parallel[i]);
        }

        static float[] Run(RecurrentNetwork network, int seed)
        {
            var random = new Random(seed);
            float[] input = NetworkFactory.ToFloat(NetworkFactory.RandomFloats(random, 7 * 4 * 9, 1))!;
            float[] gradOutput = NetworkFactory.ToFloat(NetworkFactory.RandomFloats(random, 7 * 4 * 24, 1))!;
            var session = new TrainingSession(network, 4, 7);
            var gradients = new GradientBuffer(network);
            session.Forward(input, 7, 4, new float[gradOutput.Length]);
            session.Backward(gradOutput, gradients);
            var all = new List<float>();
            foreach (string name in gradients.Names)
            {
                all.AddRange(gradients.Get(name).ToArray());
            }

            return all.ToArray();
        }
    }

    [Fact]
    public void ClippingByNormScalesToTheLimitAndReportsTheNormBefore()
    {
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.RnnTanh, 2, 3), 1);
        var gradients = new GradientBuffer(network);
        gradients.Get("weight_ih_l0")[0] = 3f;
        gradients.Get("bias_hh_l0")[2] = 4f;
        Assert.Equal(5.0, GradientClipping.ClipByGlobalNorm(gradients, 10.0), 6);
        Assert.Equal(3f, gradients.Get("weight_ih_l0")[0]);
        Assert.Equal(5.0, GradientClipping.ClipByGlobalNorm(gradients, 1.0), 6);
        Assert.Equal(1.0, GradientClipping.GlobalNorm(gradients), 5);
        Assert.Equal(0.6f, gradients.Get("weight_ih_l0")[0], 5);

        gradients.Get("weight_hh_l0")[1] = -7f;
        GradientClipping.ClipByValue(gradients, 0.5f);
        Assert.Equal(-0.5f, gradients.Get("weight_hh_l0")[1]);
        Assert.Equal(0.5f, gradients.Get("weight_ih_l0")[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(gradients, 0));
    }

    [Fact]
    public void TruncatedBpttStaysResetAfterAdvanceOrBackward()
    {
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, 2, 3), 4);
        var truncated = new TruncatedBptt(network, 1, 2);
        float[] input = [1f, -1f, 0.5f, 2f], output = new float[2 * 3];
        var gradients = new GradientBuffer(network);
        truncated.Forward(input, 2, output);
        truncated.ResetState();
        truncated.Advance();
        Assert.Equal(new float[3], truncated.CarriedHidden.ToArray());
        truncated.Forward(input, 2, output);
        truncated.ResetState();
        truncated.Backward(new float[output.Length], gradients);
        Assert.Equal(new float[3], truncated.CarriedHidden.ToArray());

        // Without a reset the state carries on.
        truncated.Forward(input, 2, output);
        truncated.Advance();
        Assert.NotEqual(new float[3], truncated.CarriedHidden.ToArray());
    }

    [Fact]
    public void TruncatedBpttCarriesStateAndStopsGradientsAtWindowStarts()
    {
        var config = new ReferenceConfig { Mode = ReferenceMode.Lstm, InputSize = 3, HiddenSize = 5, NumLayers = 2 };
        var random = new Random(12);
        Dictionary<string, double[]> weights = NetworkFactory.RandomWeights(config, random, 0.5);
        RecurrentNetwork network = NetworkFactory.Build(config, weights);
        const int batch = 2, window = 3, windows = 3, steps = window * windows;
        double[] input = NetworkFactory.RandomFloats(random, steps * batch * 3, 1);
        double[] gradOutput = NetworkFactory.RandomFloats(random, steps * batch * 5, 1);

        var truncated = new TruncatedBptt(network, batch, window);
        var gradients = new GradientBuffer(network);
        float[] output = new float[window * batch * 5];
        var expectedGradients = new Dictionary<string, double[]>();
        double[]? h = null, c = null;
        for (int w = 0; w < windows; w++)
        {
            double[] windowInput = input.AsSpan(w * window * batch * 3, window * batch * 3).ToArray();
            double[] windowGrad = gradOutput.AsSpan(w * window * batch * 5, window * batch * 5).ToArray();
            truncated.Forward(NetworkFactory.ToFloat(windowInput), window, output);
            truncated.Backward(NetworkFactory.ToFloat(windowGrad), gradients);

            // The judge: each window from the previous window's final state, taken as a constant.
            ReferenceForwardResult forward = ReferenceNetwork.Forward(config, weights, windowInput, window, batch, h, c, null);
            ReferenceGradients g = ReferenceNetwork.Backward(config, weights, windowInput, window, batch, h, c, null, windowGrad, null, null);
            Assert.True(ReferenceTolerance.RelativeError(NetworkFactory.ToDouble(output), forward.Output) <= 1e-5, $"window {w} output");
            foreach ((string name, double[] values) in g.GradWeights)
            {
                double[] sum = expectedGradients.TryGetValue(name, out double[]? s) ? s : new double[values.Length];
                for (int i = 0; i < sum.Length; i++)
                {
                    sum[i] += values[i];
                }

                expectedGradients[name] = sum;
            }

            h = forward.HN;
            c = forward.CN;
        }

        foreach ((string name, double[] expected) in expectedGradients)
        {
            double error = ReferenceTolerance.RelativeError(NetworkFactory.ToDouble(gradients.Get(name).ToArray()), expected);
            Assert.True(error <= 1e-4, $"{name}: relative error {error:E3}");
        }
    }
}

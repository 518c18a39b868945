using System;
using FastRnn.Networks;
using FastRnn.Training;
using FastRnn.Training.Models;
using FastRnn.Training.Optimizers;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>SGD with momentum and Adam against PyTorch's update formulas, written out in double.</summary>
public sealed class OptimizerTests
{
    [Fact]
    public void SgdWithMomentumAndWeightDecayFollowsPyTorch()
    {
        float[] value = [1f, -2f];
        float[] gradient = new float[2];
        var p = new Parameter("p", [2], value, gradient);
        var sgd = new SgdMomentum([p], learningRate: 0.1f, momentum: 0.9f, weightDecay: 0.01f);
        double[] w = [1, -2], buf = new double[2];
        double[][] grads = [[0.5, -1], [0.25, 0.75], [-1, 2]];
        for (int step = 0; step < grads.Length; step++)
        {
            gradient[0] = (float)grads[step][0];
            gradient[1] = (float)grads[step][1];
            sgd.Step();
            for (int j = 0; j < 2; j++)
            {
                double g = grads[step][j] + (0.01 * w[j]);
                buf[j] = step == 0 ? g : (0.9 * buf[j]) + g;
                w[j] -= 0.1 * buf[j];
                Assert.Equal(w[j], value[j], 1e-5);
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AdamAndAdamWFollowPyTorch(bool decoupled)
    {
        float[] value = [0.5f, -1.5f, 3f];
        float[] gradient = new float[3];
        var adam = new Adam([new Parameter("p", [3], value, gradient)], learningRate: 0.01f, weightDecay: 0.1f, decoupled: decoupled);
        double[] w = [0.5, -1.5, 3], m = new double[3], v = new double[3];
        var random = new Random(2);
        for (int t = 1; t <= 5; t++)
        {
            for (int j = 0; j < 3; j++)
            {
                gradient[j] = (float)((random.NextDouble() * 2) - 1);
            }

            adam.Step();
            for (int j = 0; j < 3; j++)
            {
                double g = gradient[j];
                if (decoupled)
                {
                    w[j] -= 0.01 * 0.1 * w[j];
                }
                else
                {
                    g += 0.1 * w[j];
                }

                m[j] = (0.9 * m[j]) + (0.1 * g);
                v[j] = (0.999 * v[j]) + (0.001 * g * g);
                double mHat = m[j] / (1 - Math.Pow(0.9, t));
                double vHat = v[j] / (1 - Math.Pow(0.999, t));
                w[j] -= 0.01 * mHat / (Math.Sqrt(vHat) + 1e-8);
                Assert.Equal(w[j], value[j], 1e-5);
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ModelsRunTheStepsWeightsWithoutParametersUpdated(bool adam)
    {
        // Two identical models and optimizers; only the second is told to re-pack.
        var options = new SequenceModelOptions { Network = new NetworkDescription(CellKind.Lstm, 3, 4), OutputSize = 2, Seed = 3 };
        SequenceModel quiet = new(options, 2, 3), told = new(options, 2, 3);
        Optimizer quietStep = adam ? new Adam(quiet.Parameters, 0.05f) : new SgdMomentum(quiet.Parameters, 0.5f);
        Optimizer toldStep = adam ? new Adam(told.Parameters, 0.05f) : new SgdMomentum(told.Parameters, 0.5f);
        float[] features = new float[3 * 2 * 3];
        for (int i = 0; i < features.Length; i++)
        {
            features[i] = MathF.Sin(i);
        }

        var batch = new SequenceBatch { Steps = 3, Batch = 2, Features = features, TargetValues = new float[3 * 2 * 2] };
        for (int step = 0; step < 2; step++)
        {
            Assert.Equal(told.ForwardBackward(batch), quiet.ForwardBackward(batch));
            quietStep.Step();
            toldStep.Step();
            told.ParametersUpdated();
        }

        float[] expected = new float[12], actual = new float[12];
        Assert.Equal(told.Evaluate(batch, expected), quiet.Evaluate(batch, actual));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void BadHyperparametersAreRefused()
    {
        var p = new Parameter("p", [1], [0f], [0f]);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], learningRate: -1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SgdMomentum([p], learningRate: 0.1f, momentum: 1f));
        var adam = new Adam([p], learningRate: 0.01f);
        foreach (float bad in new[] { float.NaN, 0f, -1f, float.PositiveInfinity })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => adam.LearningRate = bad);
            Assert.Contains("learning rate must be positive and finite", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(0.01f, adam.LearningRate);
        adam.LearningRate = 0.5f;
        Assert.Equal(0.5f, adam.LearningRate);
    }
}

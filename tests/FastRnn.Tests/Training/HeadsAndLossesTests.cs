using System;
using FastRnn.Networks;
using FastRnn.Training;
using FastRnn.Training.Heads;
using FastRnn.Training.Losses;
using FastRnn.Training.Models;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>Dense layer, embedding and losses against double-precision formulas and finite differences.</summary>
public sealed class HeadsAndLossesTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(5, 17, 3)]
    [InlineData(7, 33, 65)]
    public void DenseLayerForwardAndBackwardMatchTheFormulas(int rows, int inputs, int outputs)
    {
        var layer = new DenseLayer("head", inputs, outputs, seed: rows);
        var random = new Random(3);
        float[] x = Random(random, rows * inputs);
        float[] dy = Random(random, rows * outputs);
        float[] y = new float[rows * outputs];
        float[] dx = new float[rows * inputs];
        layer.Forward(x, rows, y);
        layer.Backward(x, dy, rows, dx);
        float[] w = layer.Weight.Value, b = layer.Bias.Value;
        for (int n = 0; n < rows; n++)
        {
            for (int o = 0; o < outputs; o++)
            {
                double expected = b[o];
                for (int i = 0; i < inputs; i++)
                {
                    expected += (double)w[(o * inputs) + i] * x[(n * inputs) + i];
                }

                Assert.Equal(expected, y[(n * outputs) + o], 1e-4);
            }
        }

        for (int o = 0; o < outputs; o++)
        {
            double db = 0;
            for (int n = 0; n < rows; n++)
            {
                db += dy[(n * outputs) + o];
            }

            Assert.Equal(db, layer.Bias.Gradient[o], 1e-4);
            for (int i = 0; i < inputs; i++)
            {
                double dw = 0;
                for (int n = 0; n < rows; n++)
                {
                    dw += (double)dy[(n * outputs) + o] * x[(n * inputs) + i];
                }

                Assert.Equal(dw, layer.Weight.Gradient[(o * inputs) + i], 1e-4);
            }
        }

        for (int n = 0; n < rows; n++)
        {
            for (int i = 0; i < inputs; i++)
            {
                double expected = 0;
                for (int o = 0; o < outputs; o++)
                {
                    expected += (double)dy[(n * outputs) + o] * w[(o * inputs) + i];
                }

                Assert.Equal(expected, dx[(n * inputs) + i], 1e-4);
            }
        }
    }

    [Fact]
    public void EmbeddingLooksUpAndAccumulatesRepeatedTokens()
    {
        var embedding = new Embedding("e", 5, 3, seed: 1);
        int[] tokens = [4, 1, 4];
        float[] output = new float[9];
        embedding.Forward(tokens, output);
        Assert.Equal(embedding.Weight.Value.AsSpan(12, 3).ToArray(), output.AsSpan(0, 3).ToArray());
        Assert.Equal(embedding.Weight.Value.AsSpan(3, 3).ToArray(), output.AsSpan(3, 3).ToArray());
        embedding.Backward(tokens, [1, 2, 3, 10, 20, 30, 100, 200, 300]);
        Assert.Equal([101f, 202f, 303f], embedding.Weight.Gradient.AsSpan(12, 3).ToArray());
        Assert.Equal([10f, 20f, 30f], embedding.Weight.Gradient.AsSpan(3, 3).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => embedding.Forward([5], new float[3]));
    }

    [Fact]
    public void CrossEntropyMatchesDoubleLossAndItsFiniteDifferences()
    {
        var random = new Random(5);
        const int rows = 6, classes = 7;
        float[] logits = Random(random, rows * classes, 4f);
        logits[3] = 60f; // large logits must not overflow
        int[] targets = [0, 6, -1, 3, 2, 2];
        float[] grad = new float[logits.Length];
        float loss = SoftmaxCrossEntropy.Compute(logits, targets, classes, grad);
        Assert.Equal(ModelReference.CrossEntropy(Array.ConvertAll(logits, v => (double)v), targets, classes), loss, 1e-5);
        for (int i = 0; i < logits.Length; i++)
        {
            double[] plus = Array.ConvertAll(logits, v => (double)v), minus = Array.ConvertAll(logits, v => (double)v);
            plus[i] += 1e-4;
            minus[i] -= 1e-4;
            double fd = (Reference(plus) - Reference(minus)) / 2e-4;
            Assert.Equal(fd, grad[i], 1e-4);
        }

        double Reference(double[] z) => ModelReference.CrossEntropy(z, targets, classes);
    }

    [Fact]
    public void MeanSquaredErrorMatchesItsDefinition()
    {
        float[] p = [1f, -2f, 0.5f], t = [0f, -1f, 0.5f], g = new float[3];
        Assert.Equal((1f + 1f + 0f) / 3f, MeanSquaredError.Compute(p, t, g), 1e-6);
        Assert.Equal([2f / 3f, -2f / 3f, 0f], g);
    }

    [Fact]
    public void MeanSquaredErrorWithLengthsIgnoresPaddedSteps()
    {
        const int steps = 3, batch = 2, outputs = 2;
        var model = new SequenceModel(new SequenceModelOptions { Network = new NetworkDescription(CellKind.Gru, 3, 4), OutputSize = outputs, Seed = 5 }, batch, steps);
        float[] features = new float[steps * batch * 3], targets = new float[steps * batch * outputs], padded = new float[targets.Length];
        for (int i = 0; i < features.Length; i++)
        {
            features[i] = MathF.Sin(i + 1);
        }

        int[] lengths = [3, 1];
        for (int i = 0; i < targets.Length; i++)
        {
            int row = i / outputs;
            targets[i] = MathF.Cos(i);
            padded[i] = row / batch < lengths[row % batch] ? targets[i] : 100f;
        }

        Parameter bias = model.Head.Bias;
        float Train(float[] values)
        {
            foreach (Parameter p in model.Parameters)
            {
                Array.Clear(p.Gradient);
            }

            return model.ForwardBackward(new SequenceBatch { Steps = steps, Batch = batch, Features = features, TargetValues = values, Lengths = lengths });
        }

        float loss = Train(targets);
        float[] biasGradient = (float[])bias.Gradient.Clone();
        Assert.Equal(loss, Train(padded));
        Assert.Equal(biasGradient, bias.Gradient);

        // The mean is over the 4 valid steps' 8 values.
        float[] predictions = new float[targets.Length];
        var evaluation = new SequenceBatch { Steps = steps, Batch = batch, Features = features, TargetValues = padded, Lengths = lengths };
        Assert.Equal(loss, model.Evaluate(evaluation, predictions), 1e-6);
        double sum = 0;
        for (int i = 0; i < targets.Length; i++)
        {
            int row = i / outputs;
            sum += row / batch < lengths[row % batch] ? Math.Pow(predictions[i] - targets[i], 2) : 0;
        }

        Assert.Equal(sum / 8, loss, 1e-6);

        // Finite differences of the evaluated loss against the trained gradient, for every parameter's first entries.
        Train(padded);
        foreach (Parameter p in model.Parameters)
        {
            for (int j = 0; j < Math.Min(3, p.Value.Length); j++)
            {
                float v = p.Value[j];
                p.Value[j] = v + 1e-2f;
                model.ParametersUpdated();
                double plus = model.Evaluate(evaluation);
                p.Value[j] = v - 1e-2f;
                model.ParametersUpdated();
                double minus = model.Evaluate(evaluation);
                p.Value[j] = v;
                model.ParametersUpdated();
                double fd = (plus - minus) / 2e-2;
                Assert.True(Math.Abs(fd - p.Gradient[j]) <= 1e-3 + (0.02 * Math.Abs(fd)), $"{p.Name}[{j}]: finite difference {fd}, gradient {p.Gradient[j]}");
            }
        }
    }

    private static float[] Random(Random random, int n, float scale = 1f)
    {
        float[] a = new float[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = (float)((random.NextDouble() * 2) - 1) * scale;
        }

        return a;
    }
}

using System;
using FastRnn.Networks;
using FastRnn.Training;
using FastRnn.Training.Optimizers;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>
/// Clipping, optimizers and dropout against PyTorch's formulas written out in double:
/// <c>clip_grad_norm_</c> multiplies by clamp(max_norm / (total_norm + 1e-6), max: 1), so it scales
/// whenever that coefficient is below 1, also for a norm at or slightly below max_norm.
/// </summary>
public sealed class TrainingMathAgainstPyTorchTests
{
    // PyTorch: clip_coef = max_norm / (total_norm + 1e-6); grads *= min(clip_coef, 1).
    private static double TorchClipCoefficient(double norm, double maxNorm) => Math.Min(maxNorm / (norm + 1e-6), 1.0);

    [Theory]
    [InlineData(1.0, 0.9999995)] // just below max_norm 1: PyTorch scales by 1 / (0.9999995 + 1e-6)
    [InlineData(1e-5, 0.95e-5)]  // a small max_norm, norm below it: PyTorch scales by 1e-5 / 1.05e-5
    [InlineData(1e-4, 1e-4)]     // norm at a small max_norm: PyTorch scales by 1e-4 / 1.01e-4
    public void ClipByGlobalNormScalesWheneverPyTorchsCoefficientIsBelowOne(double maxNorm, double norm)
    {
        // Two parameters whose joint norm is `norm` (3-4-5 split).
        float[] a = [(float)(0.6 * norm)], b = [(float)(-0.8 * norm)];
        var p = new Parameter("a", [1], [0f], a);
        var q = new Parameter("b", [1], [0f], b);
        double before = Math.Sqrt(((double)a[0] * a[0]) + ((double)b[0] * b[0]));
        double coefficient = TorchClipCoefficient(before, maxNorm);
        double expectedA = a[0] * coefficient, expectedB = b[0] * coefficient;
        Assert.True(coefficient < 1, "the case is one where PyTorch scales");

        double returned = GradientClipping.ClipByGlobalNorm([p, q], maxNorm);
        Assert.Equal(before, returned, 12);
        AssertClose(expectedA, a[0]);
        AssertClose(expectedB, b[0]);

        // The GradientBuffer overload, the same way.
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.RnnTanh, 1, 1), 1);
        var gradients = new GradientBuffer(network);
        gradients.Get("weight_ih_l0")[0] = (float)(0.6 * norm);
        gradients.Get("bias_hh_l0")[0] = (float)(-0.8 * norm);
        GradientClipping.ClipByGlobalNorm(gradients, maxNorm);
        AssertClose(expectedA, gradients.Get("weight_ih_l0")[0]);
        AssertClose(expectedB, gradients.Get("bias_hh_l0")[0]);
    }

    [Fact]
    public void ClipByGlobalNormLeavesNormsPyTorchLeavesAlone()
    {
        // Norm 0.5, max 1: coefficient 1/(0.5+1e-6) > 1, no scaling. Norm 3 over many parameters: scaled.
        float[] a = [0.3f, 0f], b = [-0.4f];
        var p = new Parameter("a", [2], [0f, 0f], a);
        var q = new Parameter("b", [1], [0f], b);
        GradientClipping.ClipByGlobalNorm([p, q], 1.0);
        Assert.Equal(0.3f, a[0]);
        Assert.Equal(-0.4f, b[0]);

        float[] c = [1f, 2f], d = [-2f];
        var r = new Parameter("c", [2], [0f, 0f], c);
        var s = new Parameter("d", [1], [0f], d);
        Assert.Equal(3.0, GradientClipping.ClipByGlobalNorm([r, s], 1.5), 12);
        double k = 1.5 / (3 + 1e-6);
        AssertClose(1 * k, c[0]);
        AssertClose(2 * k, c[1]);
        AssertClose(-2 * k, d[0]);
    }

    [Fact]
    public void ClipByValueClampsAndPropagatesNaNLikeTorchClamp()
    {
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.RnnTanh, 2, 2), 1);
        var gradients = new GradientBuffer(network);
        Span<float> g = gradients.Get("weight_hh_l0");
        g[0] = 2f;
        g[1] = -3f;
        g[2] = float.NaN;
        g[3] = 0.25f;
        GradientClipping.ClipByValue(gradients, 1f);
        Assert.Equal(1f, g[0]);
        Assert.Equal(-1f, g[1]);
        Assert.True(float.IsNaN(g[2]));
        Assert.Equal(0.25f, g[3]);
    }

    [Fact]
    public void SgdWithoutMomentumIsPlainSgdAndAdamHandlesSeveralParameters()
    {
        float[] v1 = [1f, 2f], g1 = new float[2];
        var sgd = new SgdMomentum([new Parameter("p", [2], v1, g1)], learningRate: 0.5f, momentum: 0f, weightDecay: 0.1f);
        double[] w = [1, 2];
        for (int step = 0; step < 3; step++)
        {
            g1[0] = step + 1;
            g1[1] = -step;
            sgd.Step();
            for (int j = 0; j < 2; j++)
            {
                w[j] -= 0.5 * (g1[j] + (0.1 * w[j]));
                Assert.Equal(w[j], v1[j], 1e-5);
            }
        }

        // Adam over two parameters, non-default betas and eps: each element is independent.
        float[] a = [0.1f], ga = new float[1], b = [-2f, 4f], gb = new float[2];
        var adam = new Adam([new Parameter("a", [1], a, ga), new Parameter("b", [2], b, gb)], learningRate: 0.1f, beta1: 0.5f, beta2: 0.75f, epsilon: 1e-3f);
        double[] x = [0.1, -2, 4], m = new double[3], s = new double[3];
        for (int t = 1; t <= 4; t++)
        {
            ga[0] = 0.5f * t;
            gb[0] = -0.25f;
            gb[1] = t % 2 == 0 ? 1e-3f : -2f;
            adam.Step();
            double[] grad = [ga[0], gb[0], gb[1]];
            float[] actual = [a[0], b[0], b[1]];
            for (int j = 0; j < 3; j++)
            {
                m[j] = (0.5 * m[j]) + (0.5 * grad[j]);
                s[j] = (0.75 * s[j]) + (0.25 * grad[j] * grad[j]);
                double denominator = (Math.Sqrt(s[j]) / Math.Sqrt(1 - Math.Pow(0.75, t))) + 1e-3;
                x[j] -= 0.1 / (1 - Math.Pow(0.5, t)) * m[j] / denominator;
                Assert.Equal(x[j], actual[j], 1e-5);
            }
        }
    }

    [Fact]
    public void LayerDropoutIsNeverAfterTheLastLayerNorOnOneLayer()
    {
        const int steps = 5, batch = 3;
        float[] input = new float[steps * batch * 3];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = MathF.Sin(i + 1);
        }

        // One layer: the dropout argument has no effect.
        RecurrentNetwork one = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Gru, 3, 4), 2);
        float[] trained = new float[steps * batch * 4], inferred = new float[trained.Length];
        using (var session = new TrainingSession(one, batch, steps, dropout: 0.5f, seed: 3))
        {
            session.Forward(input, steps, batch, trained);
        }

        one.Forward(one.CreateWorkspace(batch, steps), input, steps, batch, inferred);
        for (int i = 0; i < trained.Length; i++)
        {
            Assert.Equal(inferred[i], trained[i], 6);
        }

        // Two layers: the top layer's output is never zeroed (tanh of a non-zero pre-activation), but differs from inference.
        RecurrentNetwork two = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, 3, 4) { NumLayers = 2, Bidirectional = true }, 2);
        trained = new float[steps * batch * 8];
        inferred = new float[trained.Length];
        using (var session = new TrainingSession(two, batch, steps, dropout: 0.5f, seed: 3))
        {
            session.Forward(input, steps, batch, trained);
        }

        two.Forward(two.CreateWorkspace(batch, steps), input, steps, batch, inferred);
        Assert.DoesNotContain(0f, trained);
        Assert.NotEqual(inferred, trained);
    }

    private static void AssertClose(double expected, float actual) =>
        Assert.True(Math.Abs(expected - actual) <= 2e-7 * Math.Abs(expected), $"expected {expected:R}, got {actual:R} (relative error {Math.Abs(expected - actual) / Math.Abs(expected):E2})");
}

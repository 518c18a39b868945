using System;
using System.Collections.Generic;
using FastRnn.Kernels;
using FsCheck.Xunit;
using Xunit;

namespace FastRnn.Tests.Kernels;

/// <summary>The activation functions against double precision, on every path this CPU has.</summary>
public sealed class ActivationAccuracyTests(ITestOutputHelper output)
{
    // The documented bounds (ActivationMath remarks, README "Numerics").
    private const double TanhRelativeNearOrigin = 2e-7;
    private const double TanhAbsolute = 1e-7;
    private const double SigmoidAbsolute = 1e-7;
    private const double SigmoidRelative = 2.5e-7;

    public static IEnumerable<object[]> Paths()
    {
        foreach (SimdPath path in SimdPaths.Available())
        {
            yield return [path];
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void TanhMeetsDocumentedErrorOverDenseSweep(SimdPath path)
    {
        float[] x = Sweep();
        float[] y = new float[x.Length];
        SimdPaths.Activation(path, Activations.Kind.Tanh, x, y);
        double worstRelative = 0, worstAbsolute = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double expected = Math.Tanh(x[i]);
            double error = Math.Abs(y[i] - expected);
            if (Math.Abs(x[i]) < 0.625)
            {
                double relative = expected == 0 ? error : error / Math.Abs(expected);
                worstRelative = Math.Max(worstRelative, relative);
                Assert.True(relative <= TanhRelativeNearOrigin, $"tanh({x[i]:R}) = {y[i]:R}, expected {expected:R}: relative error {relative:E3} on {path}");
            }
            else
            {
                worstAbsolute = Math.Max(worstAbsolute, error);
                Assert.True(error <= TanhAbsolute, $"tanh({x[i]:R}) = {y[i]:R}, expected {expected:R}: absolute error {error:E3} on {path}");
            }
        }

        output.WriteLine($"{path}: tanh max relative error (|x| < 0.625) {worstRelative:E3}, max absolute error elsewhere {worstAbsolute:E3}");
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void SigmoidMeetsDocumentedErrorOverDenseSweep(SimdPath path)
    {
        float[] x = Sweep();
        float[] y = new float[x.Length];
        SimdPaths.Activation(path, Activations.Kind.Sigmoid, x, y);
        double worstRelative = 0, worstAbsolute = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double expected = 1.0 / (1.0 + Math.Exp(-(double)x[i]));
            double error = Math.Abs(y[i] - expected);
            worstAbsolute = Math.Max(worstAbsolute, error);
            Assert.True(error <= SigmoidAbsolute, $"sigmoid({x[i]:R}) = {y[i]:R}, expected {expected:R}: absolute error {error:E3} on {path}");
            if (x[i] > -86f)
            {
                double relative = error / expected;
                worstRelative = Math.Max(worstRelative, relative);
                Assert.True(relative <= SigmoidRelative, $"sigmoid({x[i]:R}) = {y[i]:R}, expected {expected:R}: relative error {relative:E3} on {path}");
            }
        }

        output.WriteLine($"{path}: sigmoid max absolute error {worstAbsolute:E3}, max relative error (x > -86) {worstRelative:E3}");
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void SpecialValuesSaturateAndPropagateNaN(SimdPath path)
    {
        float[] x = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, -float.MaxValue, 1e30f, -1e30f, 0f, -0f, 1e-45f, -1e-45f, 1e-40f, 100f, -100f, 9.5f, -9.5f];
        float[] tanh = new float[x.Length], sigmoid = new float[x.Length], relu = new float[x.Length];
        SimdPaths.Activation(path, Activations.Kind.Tanh, x, tanh);
        SimdPaths.Activation(path, Activations.Kind.Sigmoid, x, sigmoid);
        SimdPaths.Activation(path, Activations.Kind.Relu, x, relu);

        Assert.True(float.IsNaN(tanh[0]) && float.IsNaN(sigmoid[0]) && float.IsNaN(relu[0]), $"NaN must propagate on {path}");
        Assert.Equal([1f, -1f, 1f, -1f, 1f, -1f], tanh[1..7]);
        Assert.Equal([1f, 1f, 1f], [sigmoid[1], sigmoid[3], sigmoid[5]]);
        Assert.All([sigmoid[2], sigmoid[4], sigmoid[6]], s => Assert.InRange(s, 0f, 1e-37f));
        Assert.Equal(0f, tanh[7]);
        Assert.Equal(1e-45f, tanh[9]);
        Assert.Equal(-1e-45f, tanh[10]);
        Assert.Equal(0.5f, sigmoid[7]);
        Assert.Equal(0.5f, sigmoid[9]);
        Assert.Equal([float.PositiveInfinity, 0f, float.MaxValue, 0f, 1e30f, 0f, 0f], relu[1..8]);
        Assert.Equal(1f, tanh[12]);
        Assert.Equal(-1f, tanh[13]);
        Assert.Equal(1f, sigmoid[12]);
        Assert.True(sigmoid[13] >= 0f && sigmoid[13] < 1e-37f, $"sigmoid(-100) = {sigmoid[13]:R} on {path}");
        foreach (float value in sigmoid)
        {
            Assert.False(float.IsSubnormal(value), $"sigmoid produced a subnormal on {path}");
        }
    }

    [Property(MaxTest = 300)]
    public bool EveryPathMatchesReferenceOnRandomSpans(int sizeSelector, int seed)
    {
        int length = TestSizes.Pick(sizeSelector);
        var random = new Random(seed);
        float[] x = new float[length];
        for (int i = 0; i < length; i++)
        {
            x[i] = TestSizes.Value(random, allowHuge: true);
        }

        float[] y = new float[length];
        foreach (SimdPath path in SimdPaths.Available())
        {
            SimdPaths.Activation(path, Activations.Kind.Tanh, x, y);
            for (int i = 0; i < length; i++)
            {
                double expected = Math.Tanh(x[i]);
                double bound = Math.Abs(x[i]) < 0.625 ? TanhRelativeNearOrigin * Math.Abs(expected) : TanhAbsolute;
                if (!(Math.Abs(y[i] - expected) <= bound))
                {
                    return false;
                }
            }

            SimdPaths.Activation(path, Activations.Kind.Sigmoid, x, y);
            for (int i = 0; i < length; i++)
            {
                double expected = 1.0 / (1.0 + Math.Exp(-(double)x[i]));
                if (!(Math.Abs(y[i] - expected) <= SigmoidAbsolute))
                {
                    return false;
                }
            }

            SimdPaths.Activation(path, Activations.Kind.Relu, x, y);
            for (int i = 0; i < length; i++)
            {
                if (y[i] != Math.Max(x[i], 0f))
                {
                    return false;
                }
            }
        }

        return true;
    }

    // Every float step near the origin, a fine grid to ±20, and decades out to float.MaxValue.
    private static float[] Sweep()
    {
        var values = new List<float>();
        for (float v = 0f; v < 0.01f; v = MathF.BitIncrement(v) * 1.001f)
        {
            values.Add(v);
            values.Add(-v);
        }

        for (int i = -2_000_000; i <= 2_000_000; i += 3)
        {
            values.Add(i * 1e-5f);
        }

        for (double v = 1e-38; v < 3e38; v *= 1.05)
        {
            values.Add((float)v);
            values.Add((float)-v);
        }

        values.Add(-86f);
        values.Add(-87f);
        values.Add(-88f);
        values.Add(-103f);
        return values.ToArray();
    }
}

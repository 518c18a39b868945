using System;
using System.Collections.Generic;
using FastRnn.Kernels;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Kernels;

/// <summary>The ONNX activation functions (OnnxActivationMath) against double precision, on every path this CPU has.</summary>
public sealed class OnnxActivationAccuracyTests(ITestOutputHelper output)
{
    public static TheoryData<SimdPath, string> PathsAndFunctions()
    {
        var data = new TheoryData<SimdPath, string>();
        foreach (SimdPath path in SimdPaths.Available())
        {
            foreach (string function in (string[])["Affine(0.75,0.125)", "LeakyRelu(0.2)", "ThresholdedRelu(0.125)", "ScaledTanh(1.25,0.75)", "HardSigmoid(0.3,0.4)", "Elu(0.6)", "Softsign", "Softplus"])
            {
                data.Add(path, function);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PathsAndFunctions))]
    public void Every_function_meets_its_documented_error_over_a_dense_sweep(SimdPath path, string function)
    {
        Activation f = Activation.Parse(function);
        float[] x = Sweep();
        float[] y = new float[x.Length];
        Run(path, f, x, y);
        double worst = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double expected = Expected(f, x[i]);
            double error = Math.Abs(y[i] - expected);
            double bound = Bound(f, x[i], expected);
            double relative = expected == 0 ? error : error / Math.Abs(expected);
            if (double.IsFinite(relative) && Math.Abs(expected) > 1e-30)
            {
                worst = Math.Max(worst, relative);
            }

            Assert.True(error <= bound, $"{function}({x[i]:R}) = {y[i]:R}, expected {expected:R}: error {error:E3} > {bound:E3} on {path}");
        }

        output.WriteLine($"{path}: {function} max relative error {worst:E3}");
    }

    [Theory]
    [MemberData(nameof(PathsAndFunctions))]
    public void Special_values_saturate_and_nan_propagates(SimdPath path, string function)
    {
        Activation f = Activation.Parse(function);
        float[] x = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, -float.MaxValue, 0f, -0f, 1e-45f, -1e-45f];
        float[] y = new float[x.Length];
        Run(path, f, x, y);
        Assert.True(float.IsNaN(y[0]), $"{function}(NaN) = {y[0]:R} on {path}");
        for (int i = 1; i < x.Length; i++)
        {
            double expected = Expected(f, x[i]);
            if (double.IsInfinity(expected))
            {
                Assert.Equal((float)expected, y[i]);
            }
            else
            {
                Assert.True(Math.Abs(y[i] - expected) <= Math.Max(Bound(f, x[i], expected), 1e-37), $"{function}({x[i]:R}) = {y[i]:R}, expected {expected:R} on {path}");
            }
        }
    }

    private static void Run(SimdPath path, Activation f, ReadOnlySpan<float> x, Span<float> y) => Activations.Apply(path, f, x, y);

    // The definitions of the ONNX operator specification, in double precision (saturating where the
    // double formula itself overflows).
    private static double Expected(Activation f, float input)
    {
        double x = input, a = f.Alpha, b = f.Beta;
        return f.Function switch
        {
            ActivationFunction.Affine => (a * x) + b,
            ActivationFunction.LeakyRelu => x >= 0 ? x : a * x,
            ActivationFunction.ThresholdedRelu => x > a ? x : 0,
            ActivationFunction.ScaledTanh => a * Math.Tanh(b * x),
            ActivationFunction.HardSigmoid => Math.Min(Math.Max((a * x) + b, 0), 1),
            ActivationFunction.Elu => x >= 0 ? x : a * (x > -1e-5 ? x + (x * x / 2) : Math.Exp(x) - 1),
            ActivationFunction.Softsign => double.IsInfinity(x) ? Math.Sign(x) : x / (1 + Math.Abs(x)),
            ActivationFunction.Softplus => x > 30 ? x + Math.Exp(-x) : LogOnePlus(Math.Exp(x)),
            _ => throw new ArgumentException(f.ToString()),
        };
    }

    // log(1 + u) without the rounding of 1 + u, which double precision cannot resolve for tiny u.
    private static double LogOnePlus(double u) => u < 1e-4 ? u - (u * u / 2) + (u * u * u / 3) : Math.Log(1 + u);

    // The bounds OnnxActivationMath documents: one or two roundings for the piecewise-linear
    // functions (relative to their terms for α·x + β), 4e-7 relative for Elu and Softplus,
    // 2 ulp for Softsign, tanh's bounds (1e-7 absolute, 2e-7 relative near 0) scaled by α for ScaledTanh.
    private static double Bound(Activation f, float x, double expected)
    {
        double magnitude = Math.Abs(expected);
        return f.Function switch
        {
            // Without FMA (scalar and 128-bit legs) α·x rounds before β is added.
            ActivationFunction.Affine or ActivationFunction.HardSigmoid => (6e-8 * (Math.Abs((double)f.Alpha * x) + Math.Abs(f.Beta) + magnitude)) + 1e-45,
            ActivationFunction.LeakyRelu or ActivationFunction.ThresholdedRelu => (6e-8 * magnitude) + 1e-45,
            ActivationFunction.ScaledTanh => (Math.Abs(f.Alpha) * 1.3e-7) + (3e-7 * magnitude),
            ActivationFunction.Elu => (4e-7 * magnitude) + 1e-45,
            ActivationFunction.Softsign => (2.4e-7 * magnitude) + 1e-45,
            ActivationFunction.Softplus => x < -86f ? 1e-37 : (4e-7 * magnitude) + 1e-45,
            _ => 0,
        };
    }

    // A fine grid to ±30, every float step near the origin, and decades out to float.MaxValue.
    private static float[] Sweep()
    {
        var values = new List<float>();
        for (float v = 1e-30f; v < 0.01f; v *= 1.01f)
        {
            values.Add(v);
            values.Add(-v);
        }

        for (int i = -300_000; i <= 300_000; i += 3)
        {
            values.Add(i * 1e-4f);
        }

        for (double v = 1e-38; v < 3e38; v *= 1.05)
        {
            values.Add((float)v);
            values.Add((float)-v);
        }

        values.AddRange([-85.9f, -86f, -87f, -88f, -103f, 0.125f, 0.12500001f, -0.5f, -0.50000006f, -0.49999997f]);
        return values.ToArray();
    }
}

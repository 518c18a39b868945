using System;
using System.Collections.Generic;
using FastRnn.Kernels;
using FastRnn.Networks;

namespace FastRnn.Diagnostics;

/// <summary>
/// The activation functions ONNX imports add (Affine, LeakyRelu, ThresholdedRelu, ScaledTanh,
/// HardSigmoid, Elu, Softsign, Softplus) on the active path over the activation sweep, against
/// their definitions in double precision with the bounds OnnxActivationMath documents.
/// </summary>
internal static class OnnxActivationCheck
{
    private const double SmallestNormal = 1.17549435e-38;

    public static void Run(List<SelfCheckRow> rows)
    {
        SimdPath path = Isa.Active;
        float[] x = ActivationCheck.Inputs();
        string sizes = $"{x.Length} points, |x| 1e-38..max";
        float[] y = new float[x.Length];
        foreach ((Activation f, double bound) in (ReadOnlySpan<(Activation, double)>)[
            (Activation.Of(ActivationFunction.Affine, 0.75f, 0.125f), 6e-8),
            (Activation.Of(ActivationFunction.LeakyRelu, 0.2f), 6e-8),
            (Activation.Of(ActivationFunction.ThresholdedRelu, 0.125f), 0),
            (Activation.Of(ActivationFunction.ScaledTanh, 1.25f, 0.75f), 1.3e-7),
            (Activation.Of(ActivationFunction.HardSigmoid, 0.3f, 0.4f), 6e-8),
            (Activation.Of(ActivationFunction.Elu, 0.6f), 4e-7),
            (Activation.Of(ActivationFunction.Softsign), 2.4e-7),
            (Activation.Of(ActivationFunction.Softplus), 4e-7)])
        {
            Activations.Apply(f, x, y);
            double worst = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double expected = Expected(f, x[i]);
                double error = Math.Abs(y[i] - expected);

                // Relative to the terms (α·x + β may cancel; without FMA α·x rounds first), to α for
                // ScaledTanh (tanh's absolute bound), to the smallest normal float for results below it
                // (α·x of a tiny x is subnormal: the functions do not flush), and absolute where
                // Softplus's result is below 1e-37.
                double scale = Math.Max(SmallestNormal, f.Function switch
                {
                    ActivationFunction.Affine or ActivationFunction.HardSigmoid => Math.Abs((double)f.Alpha * x[i]) + Math.Abs(f.Beta) + Math.Abs(expected),
                    ActivationFunction.ScaledTanh => Math.Abs(f.Alpha) + Math.Abs(expected),
                    _ => Math.Abs(expected),
                });
                if (f.Function == ActivationFunction.Softplus && x[i] < -86f)
                {
                    error = error > 1e-37 ? error : 0;
                }

                worst = ErrorMeasure.Worst(worst, error / scale);
            }

            rows.Add(new SelfCheckRow($"{f} (relative)", path, sizes, worst, bound));
        }
    }

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
            ActivationFunction.Elu => x >= 0 ? x : a * ExpMinusOne(x),
            ActivationFunction.Softsign => double.IsInfinity(x) ? Math.Sign(x) : x / (1 + Math.Abs(x)),
            _ => x > 30 ? x + Math.Exp(-x) : LogOnePlus(Math.Exp(x)),
        };
    }

    // e^x − 1 and log(1 + u) without the cancellation double precision has near 0.
    private static double ExpMinusOne(double x) => x > -1e-5 ? x + (x * x / 2) : Math.Exp(x) - 1;

    private static double LogOnePlus(double u) => u < 1e-4 ? u - (u * u / 2) + (u * u * u / 3) : Math.Log(1 + u);
}

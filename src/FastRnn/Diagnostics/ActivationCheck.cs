using System;
using System.Collections.Generic;
using FastRnn.Kernels;

namespace FastRnn.Diagnostics;

/// <summary>
/// Sigmoid, tanh and ReLU on the active path over a dense sweep of [-20, 20], magnitudes from
/// 1e-38 to float.MaxValue of both signs, and NaN, against double precision with the bounds the
/// README documents (section "Numerics").
/// </summary>
internal static class ActivationCheck
{
    private const double SigmoidAbsolute = 1e-7;
    private const double SigmoidRelative = 2.5e-7;
    private const double TanhRelative = 2e-7;
    private const double TanhAbsolute = 1e-7;

    public static void Run(List<SelfCheckRow> rows)
    {
        SimdPath path = Isa.Active;
        float[] x = Inputs();
        string sizes = $"{x.Length} points, |x| 1e-38..max";
        float[] sigmoid = Apply(Activations.Kind.Sigmoid, x);
        float[] tanh = Apply(Activations.Kind.Tanh, x);
        float[] relu = Apply(Activations.Kind.Relu, x);

        double sigmoidAbs = 0, sigmoidRel = 0, tanhRel = 0, tanhAbs = 0, reluErr = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double s = DoubleMath.Sigmoid(x[i]);
            sigmoidAbs = ErrorMeasure.Worst(sigmoidAbs, Math.Abs(sigmoid[i] - s));
            if (x[i] > -86f)
            {
                sigmoidRel = ErrorMeasure.Worst(sigmoidRel, Math.Abs(sigmoid[i] - s) / s);
            }

            double t = DoubleMath.Tanh(x[i]);
            double tanhError = Math.Abs(tanh[i] - t);
            if (Math.Abs(x[i]) < 0.625f)
            {
                tanhRel = ErrorMeasure.Worst(tanhRel, t == 0 ? tanhError : tanhError / Math.Abs(t));
            }
            else
            {
                tanhAbs = ErrorMeasure.Worst(tanhAbs, tanhError);
            }

            reluErr = ErrorMeasure.Worst(reluErr, Math.Abs(relu[i] - DoubleMath.Relu(x[i])));
        }

        rows.Add(new SelfCheckRow("sigmoid (absolute)", path, sizes, sigmoidAbs, SigmoidAbsolute));
        rows.Add(new SelfCheckRow("sigmoid (relative, x > -86)", path, sizes, sigmoidRel, SigmoidRelative));
        rows.Add(new SelfCheckRow("tanh (relative, |x| < 0.625)", path, sizes, tanhRel, TanhRelative));
        rows.Add(new SelfCheckRow("tanh (absolute, |x| >= 0.625)", path, sizes, tanhAbs, TanhAbsolute));
        rows.Add(new SelfCheckRow("relu (exact)", path, sizes, reluErr, 0));
        rows.Add(new SelfCheckRow("NaN in -> NaN out, exact saturation", path, "NaN, |x| 1e10..max (count wrong)", SpecialValueMismatches(), 0));
    }

    private static float[] Apply(Activations.Kind kind, float[] x)
    {
        float[] y = new float[x.Length];
        Activations.Apply(kind, x, y);
        return y;
    }

    // A dense sweep, then magnitudes spread over the whole float range; the length is odd so the
    // scalar tail of the vector loop runs too.
    internal static float[] Inputs()
    {
        var values = new List<float>();
        for (int i = 0; i <= 200_000; i++)
        {
            values.Add(-20f + (i * 2e-4f));
        }

        for (int e = -380; e <= 384; e++)
        {
            float magnitude = (float)Math.Pow(10, e / 10.0);
            if (float.IsFinite(magnitude) && magnitude >= 1e-38f)
            {
                values.Add(magnitude);
                values.Add(-magnitude);
            }
        }

        values.Add(float.MaxValue);
        values.Add(-float.MaxValue);
        values.Add(0f);
        if (values.Count % 2 == 0)
        {
            values.Add(-0f);
        }

        return [.. values];
    }

    // NaN must come out as NaN; large inputs must saturate exactly (tanh to ±1, sigmoid to 1, or to
    // below 1e-20 for large negative x; relu to x or 0). 17 values put each case in several lanes.
    private static double SpecialValueMismatches()
    {
        float[] special = [float.NaN, 1e10f, -1e10f, 1e30f, -1e30f, float.MaxValue, -float.MaxValue, 100f, -100f, 50f, -50f, float.NaN, 3e38f, -3e38f, 60f, -60f, float.NaN];
        float[] sigmoid = Apply(Activations.Kind.Sigmoid, special);
        float[] tanh = Apply(Activations.Kind.Tanh, special);
        float[] relu = Apply(Activations.Kind.Relu, special);
        int wrong = 0;
        for (int i = 0; i < special.Length; i++)
        {
            float x = special[i];
            if (float.IsNaN(x))
            {
                wrong += (float.IsNaN(sigmoid[i]) ? 0 : 1) + (float.IsNaN(tanh[i]) ? 0 : 1) + (float.IsNaN(relu[i]) ? 0 : 1);
                continue;
            }

            wrong += tanh[i] == Math.Sign(x) ? 0 : 1;
            wrong += x > 0 ? (sigmoid[i] == 1f ? 0 : 1) : (sigmoid[i] is >= 0f and < 1e-20f ? 0 : 1);
            wrong += relu[i] == Math.Max(x, 0f) ? 0 : 1;
        }

        return wrong;
    }
}

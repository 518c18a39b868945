using System;
using System.Collections.Generic;
using FastRnn.Training;

namespace FastRnn.Tests.Training;

/// <summary>
/// Double-precision pieces of a whole model around the reference network (tests/Reference): the
/// parameters in double by name, a dense layer and the mean cross-entropy over counted rows.
/// Of the production code it reads only the parameters' values.
/// </summary>
internal static class ModelReference
{
    public static Dictionary<string, double[]> Weights(IReadOnlyList<Parameter> parameters)
    {
        var all = new Dictionary<string, double[]>();
        foreach (Parameter p in parameters)
        {
            double[] v = new double[p.Value.Length];
            for (int i = 0; i < v.Length; i++)
            {
                v[i] = p.Value[i];
            }

            all[p.Name] = v;
        }

        return all;
    }

    public static Dictionary<string, double[]> Prefixed(Dictionary<string, double[]> all, string prefix)
    {
        var result = new Dictionary<string, double[]>();
        foreach ((string name, double[] v) in all)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                result[name[prefix.Length..]] = v;
            }
        }

        return result;
    }

    public static double[] Dense(double[] x, int rows, double[] w, double[] b, int inSize, int outSize)
    {
        double[] y = new double[rows * outSize];
        for (int n = 0; n < rows; n++)
        {
            for (int o = 0; o < outSize; o++)
            {
                double s = b[o];
                for (int i = 0; i < inSize; i++)
                {
                    s += w[(o * inSize) + i] * x[(n * inSize) + i];
                }

                y[(n * outSize) + o] = s;
            }
        }

        return y;
    }

    public static double CrossEntropy(double[] logits, int[] targets, int classes)
    {
        double total = 0;
        int counted = 0;
        for (int n = 0; n < targets.Length; n++)
        {
            if (targets[n] < 0)
            {
                continue;
            }

            double max = double.NegativeInfinity;
            for (int k = 0; k < classes; k++)
            {
                max = Math.Max(max, logits[(n * classes) + k]);
            }

            double sum = 0;
            for (int k = 0; k < classes; k++)
            {
                sum += Math.Exp(logits[(n * classes) + k] - max);
            }

            total += Math.Log(sum) + max - logits[(n * classes) + targets[n]];
            counted++;
        }

        return total / counted;
    }
}

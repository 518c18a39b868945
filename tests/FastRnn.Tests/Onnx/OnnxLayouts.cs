using System;
using System.Collections.Generic;

namespace FastRnn.Tests.Onnx;

/// <summary>
/// Moves tensors between FastRnn's layouts (output [T, B, D*H] or [B, T, D*H]; states [L*D, B, H])
/// and ONNX's (Y [T, D, B, H] or [B, T, D, H]; Y_h, initial_h [D, B, H] or [B, D, H] per node).
/// </summary>
internal static class OnnxLayouts
{
    /// <summary>FastRnn's output as ONNX's Y of the last node.</summary>
    public static double[] OutputToY(float[] output, int steps, int batch, int directions, int hidden, int layout)
    {
        double[] y = new double[output.Length];
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < batch; b++)
            {
                for (int d = 0; d < directions; d++)
                {
                    for (int j = 0; j < hidden; j++)
                    {
                        int fast = layout == 0
                            ? (((((t * batch) + b) * directions) + d) * hidden) + j
                            : (((((b * steps) + t) * directions) + d) * hidden) + j;
                        int onnx = layout == 0
                            ? (((((t * directions) + d) * batch) + b) * hidden) + j
                            : fast;
                        y[onnx] = output[fast];
                    }
                }
            }
        }

        return y;
    }

    /// <summary>Layer <paramref name="layer"/>'s slots of FastRnn's [L*D, B, H] states in ONNX's layout.</summary>
    public static double[] StatesToOnnx(float[] states, int layer, int directions, int batch, int hidden, int layout)
    {
        double[] result = new double[directions * batch * hidden];
        for (int d = 0; d < directions; d++)
        {
            for (int b = 0; b < batch; b++)
            {
                for (int j = 0; j < hidden; j++)
                {
                    int onnx = layout == 0 ? (((d * batch) + b) * hidden) + j : (((b * directions) + d) * hidden) + j;
                    result[onnx] = states[(((((layer * directions) + d) * batch) + b) * hidden) + j];
                }
            }
        }

        return result;
    }

    /// <summary>Per-node ONNX states (in ONNX's layout) as FastRnn's [L*D, B, H].</summary>
    public static float[] StatesFromOnnx(IReadOnlyList<float[]> perLayer, int directions, int batch, int hidden, int layout)
    {
        float[] states = new float[perLayer.Count * directions * batch * hidden];
        for (int layer = 0; layer < perLayer.Count; layer++)
        {
            for (int d = 0; d < directions; d++)
            {
                for (int b = 0; b < batch; b++)
                {
                    for (int j = 0; j < hidden; j++)
                    {
                        int onnx = layout == 0 ? (((d * batch) + b) * hidden) + j : (((b * directions) + d) * hidden) + j;
                        states[(((((layer * directions) + d) * batch) + b) * hidden) + j] = perLayer[layer][onnx];
                    }
                }
            }
        }

        return states;
    }

    /// <summary>max|A − E| / (max|E| + 1e-6), the project's relative error; NaN counts as infinite.</summary>
    public static double RelativeError(double[] actual, double[] expected)
    {
        if (actual.Length != expected.Length)
        {
            throw new ArgumentException($"lengths differ: {actual.Length} vs {expected.Length}");
        }

        double maxDiff = 0, maxExpected = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs(actual[i] - expected[i]);
            maxDiff = double.IsNaN(diff) ? double.PositiveInfinity : Math.Max(maxDiff, diff);
            maxExpected = Math.Max(maxExpected, Math.Abs(expected[i]));
        }

        return maxDiff / (maxExpected + 1e-6);
    }
}

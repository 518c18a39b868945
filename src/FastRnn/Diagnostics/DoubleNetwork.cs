using System;
using System.Collections.Generic;
using FastRnn.Networks;

namespace FastRnn.Diagnostics;

/// <summary>
/// A whole network (layers, directions, lengths, batch_first) in double precision, written straight
/// from PyTorch's cell equations with plain loops; the self-test's judge for the fast forward pass
/// and, through central differences, for the gradients.
/// </summary>
/// <param name="description">What the network is.</param>
/// <param name="parameters">Every parameter by its state_dict name, row-major.</param>
internal sealed class DoubleNetwork(NetworkDescription description, IReadOnlyDictionary<string, double[]> parameters)
{
    private readonly NetworkDescription d = description;

    /// <summary>Runs the network.</summary>
    /// <param name="input">[T, B, I] (or [B, T, I] with batch_first).</param>
    /// <param name="steps">T.</param>
    /// <param name="batch">B.</param>
    /// <param name="h0">[L*D, B, H_out].</param>
    /// <param name="c0">[L*D, B, H] for LSTM, else ignored.</param>
    /// <param name="lengths">[B] valid steps per sequence.</param>
    /// <returns>output [T, B, D*H_out] (or batch-first, zero past each length), h_n, c_n (LSTM, else empty).</returns>
    public (double[] Output, double[] FinalHidden, double[] FinalCell) Forward(double[] input, int steps, int batch, double[] h0, double[] c0, int[] lengths)
    {
        int directions = d.Directions, hOut = d.StateSize, hidden = d.HiddenSize;
        double[] hn = new double[d.NumLayers * directions * batch * hOut];
        double[] cn = d.HasCellState ? new double[d.NumLayers * directions * batch * hidden] : [];
        double[] layerIn = Reorder(input, steps, batch, d.InputSize, toTimeMajor: true);
        for (int layer = 0; layer < d.NumLayers; layer++)
        {
            int inSize = d.LayerInputSize(layer);
            double[] layerOut = new double[steps * batch * directions * hOut];
            for (int direction = 0; direction < directions; direction++)
            {
                int slot = (layer * directions) + direction;
                for (int b = 0; b < batch; b++)
                {
                    double[] h = h0.AsSpan(((slot * batch) + b) * hOut, hOut).ToArray();
                    double[] c = d.HasCellState ? c0.AsSpan(((slot * batch) + b) * hidden, hidden).ToArray() : [];
                    for (int k = 0; k < lengths[b]; k++)
                    {
                        int t = direction == 0 ? k : lengths[b] - 1 - k;
                        double[] x = layerIn.AsSpan(((t * batch) + b) * inSize, inSize).ToArray();
                        (h, c) = Step(layer, direction, x, h, c);
                        h.CopyTo(layerOut, (((t * batch) + b) * directions * hOut) + (direction * hOut));
                    }

                    h.CopyTo(hn, ((slot * batch) + b) * hOut);
                    c.CopyTo(cn, ((slot * batch) + b) * c.Length);
                }
            }

            layerIn = layerOut;
        }

        return (Reorder(layerIn, steps, batch, directions * hOut, toTimeMajor: false), hn, cn);
    }

    private (double[] H, double[] C) Step(int layer, int direction, double[] x, double[] h, double[] c)
    {
        string Name(string kind) => NetworkDescription.ParameterName(kind, layer, direction);
        int hidden = d.HiddenSize, gates = d.GateCount * hidden;
        double[] wih = parameters[Name("weight_ih")], whh = parameters[Name("weight_hh")];
        double[]? bih = d.Bias ? parameters[Name("bias_ih")] : null, bhh = d.Bias ? parameters[Name("bias_hh")] : null;
        double[] xs = Affine(wih, bih, 0, gates, x);
        switch (d.Kind)
        {
            case CellKind.RnnTanh or CellKind.RnnRelu:
            {
                double[] a = Add(xs, Affine(whh, bhh, 0, hidden, h));
                return (Array.ConvertAll(a, v => d.Kind == CellKind.RnnRelu ? DoubleMath.Relu(v) : DoubleMath.Tanh(v)), c);
            }

            case CellKind.Lstm:
            {
                double[] a = Add(xs, Affine(whh, bhh, 0, gates, h));
                bool peephole = d.Variant == CellVariant.Peephole;
                double[] cNew = new double[hidden], m = new double[hidden];
                for (int j = 0; j < hidden; j++)
                {
                    double i = DoubleMath.Sigmoid(a[j] + (peephole ? parameters[Name("weight_ci")][j] * c[j] : 0));
                    double f = DoubleMath.Sigmoid(a[hidden + j] + (peephole ? parameters[Name("weight_cf")][j] * c[j] : 0));
                    double g = DoubleMath.Tanh(a[(2 * hidden) + j]);
                    cNew[j] = (f * c[j]) + (i * g);
                    double o = DoubleMath.Sigmoid(a[(3 * hidden) + j] + (peephole ? parameters[Name("weight_co")][j] * cNew[j] : 0));
                    m[j] = o * DoubleMath.Tanh(cNew[j]);
                }

                return (d.ProjectionSize > 0 ? Affine(parameters[Name("weight_hr")], null, 0, d.ProjectionSize, m) : m, cNew);
            }

            default:
            {
                double[] rz = Add(xs.AsSpan(0, 2 * hidden).ToArray(), Affine(whh, bhh, 0, 2 * hidden, h));
                double[] r = new double[hidden], z = new double[hidden], rh = new double[hidden];
                for (int j = 0; j < hidden; j++)
                {
                    r[j] = DoubleMath.Sigmoid(rz[j]);
                    z[j] = DoubleMath.Sigmoid(rz[hidden + j]);
                    rh[j] = r[j] * h[j];
                }

                bool resetBefore = d.Variant == CellVariant.ResetBefore;
                double[] hn = Affine(whh, bhh, 2 * hidden, hidden, resetBefore ? rh : h);
                double[] hNew = new double[hidden];
                for (int j = 0; j < hidden; j++)
                {
                    double n = DoubleMath.Tanh(xs[(2 * hidden) + j] + (resetBefore ? hn[j] : r[j] * hn[j]));
                    hNew[j] = ((1 - z[j]) * n) + (z[j] * h[j]);
                }

                return (hNew, c);
            }
        }
    }

    // W[first .. first + rows) · v + b[first .. first + rows), W row-major with v.Length columns.
    private static double[] Affine(double[] w, double[]? bias, int first, int rows, double[] v)
    {
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            double sum = bias is null ? 0 : bias[first + r];
            for (int k = 0; k < v.Length; k++)
            {
                sum += w[((first + r) * v.Length) + k] * v[k];
            }

            y[r] = sum;
        }

        return y;
    }

    private static double[] Add(double[] a, double[] b)
    {
        for (int i = 0; i < a.Length; i++)
        {
            a[i] += b[i];
        }

        return a;
    }

    // [B, T, width] <-> [T, B, width] when batch_first; a copy otherwise.
    private double[] Reorder(double[] x, int steps, int batch, int width, bool toTimeMajor)
    {
        double[] y = new double[x.Length];
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < batch; b++)
            {
                int timeMajor = ((t * batch) + b) * width;
                int given = d.BatchFirst ? ((b * steps) + t) * width : timeMajor;
                Array.Copy(x, toTimeMajor ? given : timeMajor, y, toTimeMajor ? timeMajor : given, width);
            }
        }

        return y;
    }
}

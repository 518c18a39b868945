using System;

namespace FastRnn.Tests.Onnx;

/// <summary>What one ONNX recurrent node computes: Y, Y_h and Y_c (LSTM) in the node's layout.</summary>
internal sealed class OnnxReferenceResult
{
    /// <summary>[T, D, B, H] (layout 0) or [B, T, D, H] (layout 1); zero past each sequence's length.</summary>
    public required double[] Y { get; init; }

    /// <summary>[D, B, H] (layout 0) or [B, D, H] (layout 1).</summary>
    public required double[] YH { get; init; }

    /// <summary>Like <see cref="YH"/>, LSTM only.</summary>
    public double[]? YC { get; init; }
}

/// <summary>
/// A naive double-precision judge of ONNX's LSTM, GRU and RNN operators, written from the equations
/// of the ONNX operator specification (docs/Operators.md) in ONNX's own gate order and layouts,
/// sharing nothing with FastRnn's code or with the PyTorch reference:
/// LSTM (blocks i, o, f, c): i = σ(W_i x + R_i h + P_i ⊙ C + Wb_i + Rb_i), f = σ(… + P_f ⊙ C …),
/// c = tanh(W_c x + R_c h + Wb_c + Rb_c), C' = f ⊙ C + i ⊙ c, o = σ(… + P_o ⊙ C' …), H' = o ⊙ tanh(C').
/// GRU (blocks z, r, h): z = σ(W_z x + R_z h + Wb_z + Rb_z), r likewise, h = tanh(W_h x + R_h (r ⊙ H) + Rb_h + Wb_h)
/// when linear_before_reset = 0, h = tanh(W_h x + r ⊙ (R_h H + Rb_h) + Wb_h) when 1, H' = (1 − z) ⊙ h + z ⊙ H.
/// RNN: H' = f(W x + R H + Wb + Rb), f = tanh by default. The functions f, g, h and their α, β are
/// the node's activations attribute as the specification reads it (<see cref="OnnxReferenceActivations"/>).
/// clip bounds every activation's input to [-clip, clip]; LSTM input_forget = 1 replaces f by 1 − i.
/// The reverse direction (of a bidirectional node, or direction "reverse") runs from step len−1 down to 0; Y is zero at steps ≥ len (ONNX Runtime's behaviour).
/// </summary>
internal static class OnnxReference
{
    /// <param name="spec">The node.</param>
    /// <param name="x">X in the node's layout: [T, B, I] or [B, T, I].</param>
    /// <param name="steps">T.</param>
    /// <param name="batch">B.</param>
    /// <param name="lengths">sequence_lens, or null for all T.</param>
    /// <param name="initialH">initial_h in the node's layout ([D, B, H] or [B, D, H]), or null for zeros.</param>
    /// <param name="initialC">initial_c likewise (LSTM), or null.</param>
    public static OnnxReferenceResult Run(OnnxNodeSpec spec, double[] x, int steps, int batch, int[]? lengths = null, double[]? initialH = null, double[]? initialC = null)
    {
        int n = spec.InputSize, h = spec.HiddenSize, dirs = spec.Directions, g = spec.Gates;
        bool batchMajor = spec.Layout == 1;
        double[] y = new double[steps * dirs * batch * h];
        double[] yh = new double[dirs * batch * h];
        double[]? yc = spec.Op == "LSTM" ? new double[dirs * batch * h] : null;
        // The clip attribute bounds the input of every activation; absent, nothing is bounded.
        double Clip(double v) => spec.Clip is float c ? Math.Clamp(v, -c, c) : v;
        int XIndex(int t, int b) => batchMajor ? ((b * steps) + t) * n : ((t * batch) + b) * n;
        int YIndex(int t, int d, int b) => batchMajor ? ((((b * steps) + t) * dirs) + d) * h : ((((t * dirs) + d) * batch) + b) * h;
        int StateIndex(int d, int b) => batchMajor ? ((b * dirs) + d) * h : ((d * batch) + b) * h;
        Func<double, double>[][] functions = OnnxReferenceActivations.Of(spec);

        for (int d = 0; d < dirs; d++)
        {
            for (int b = 0; b < batch; b++)
            {
                int length = lengths?[b] ?? steps;
                double[] hState = new double[h], cState = new double[h];
                if (initialH is not null)
                {
                    Array.Copy(initialH, StateIndex(d, b), hState, 0, h);
                }

                if (initialC is not null)
                {
                    Array.Copy(initialC, StateIndex(d, b), cState, 0, h);
                }

                for (int s = 0; s < length; s++)
                {
                    int t = d == 0 && !spec.Reverse ? s : length - 1 - s;
                    double[] xw = Product(spec.W, d * g * h, g * h, n, x, XIndex(t, b));
                    double[] hr = Product(spec.R, d * g * h, g * h, h, hState, 0);
                    double Wb(int row) => spec.B is null ? 0 : spec.B[(d * 2 * g * h) + row];
                    double Rb(int row) => spec.B is null ? 0 : spec.B[(d * 2 * g * h) + (g * h) + row];
                    double[] next = new double[h];
                    Func<double, double> f = functions[d][0];
                    Func<double, double> gFunction = functions[d].Length > 1 ? functions[d][1] : f;
                    Func<double, double> hFunction = functions[d].Length > 2 ? functions[d][2] : f;
                    switch (spec.Op)
                    {
                        case "LSTM":
                        {
                            double P(int block, int j) => spec.P is null ? 0 : spec.P[(d * 3 * h) + (block * h) + j];
                            double[] cNext = new double[h];
                            for (int j = 0; j < h; j++)
                            {
                                int ri = j, ro = h + j, rf = (2 * h) + j, rc = (3 * h) + j;
                                double i = f(Clip(xw[ri] + hr[ri] + (P(0, j) * cState[j]) + Wb(ri) + Rb(ri)));
                                double forget = spec.InputForget ? 1 - i : f(Clip(xw[rf] + hr[rf] + (P(2, j) * cState[j]) + Wb(rf) + Rb(rf)));
                                double c = gFunction(Clip(xw[rc] + hr[rc] + Wb(rc) + Rb(rc)));
                                cNext[j] = (forget * cState[j]) + (i * c);
                                double o = f(Clip(xw[ro] + hr[ro] + (P(1, j) * cNext[j]) + Wb(ro) + Rb(ro)));
                                next[j] = o * hFunction(cNext[j]);
                            }

                            cState = cNext;
                            break;
                        }

                        case "GRU":
                        {
                            double[] z = new double[h], r = new double[h];
                            for (int j = 0; j < h; j++)
                            {
                                z[j] = f(Clip(xw[j] + hr[j] + Wb(j) + Rb(j)));
                                r[j] = f(Clip(xw[h + j] + hr[h + j] + Wb(h + j) + Rb(h + j)));
                            }

                            double[] resetH = new double[h];
                            for (int j = 0; j < h; j++)
                            {
                                resetH[j] = r[j] * hState[j];
                            }

                            double[] rh = Product(spec.R, (d * g * h) + (2 * h), h, h, resetH, 0);
                            for (int j = 0; j < h; j++)
                            {
                                int row = (2 * h) + j;
                                double candidate = spec.LinearBeforeReset == 0
                                    ? gFunction(Clip(xw[row] + rh[j] + Rb(row) + Wb(row)))
                                    : gFunction(Clip(xw[row] + (r[j] * (hr[row] + Rb(row))) + Wb(row)));
                                next[j] = ((1 - z[j]) * candidate) + (z[j] * hState[j]);
                            }

                            break;
                        }

                        default:
                            for (int j = 0; j < h; j++)
                            {
                                double a = Clip(xw[j] + hr[j] + Wb(j) + Rb(j));
                                next[j] = f(a);
                            }

                            break;
                    }

                    hState = next;
                    Array.Copy(hState, 0, y, YIndex(t, d, b), h);
                }

                Array.Copy(hState, 0, yh, StateIndex(d, b), h);
                if (yc is not null)
                {
                    Array.Copy(cState, 0, yc, StateIndex(d, b), h);
                }
            }
        }

        return new OnnxReferenceResult { Y = y, YH = yh, YC = yc };
    }

    /// <summary>rows × cols block of <paramref name="matrix"/> starting at row <paramref name="firstRow"/>, times v[offset..offset+cols].</summary>
    private static double[] Product(float[] matrix, int firstRow, int rows, int cols, double[] v, int offset)
    {
        double[] result = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            double sum = 0;
            for (int c = 0; c < cols; c++)
            {
                sum += matrix[((firstRow + r) * cols) + c] * v[offset + c];
            }

            result[r] = sum;
        }

        return result;
    }
}

using System;
using System.Collections.Generic;
using FastRnn.Kernels;

namespace FastRnn.Diagnostics;

/// <summary>
/// The backward epilogues of every cell kind (gate pre-activation gradients from saved
/// activations) against the derivatives of the cell equations in double precision.
/// </summary>
internal static class BackwardEpilogueCheck
{
    private const double Allowed = 1e-5;

    public static void Run(List<SelfCheckRow> rows)
    {
        var random = new SeededValues(47);
        SimdPath path = Isa.Active;
        string sizes = EpilogueBuffers.SizesText;
        rows.Add(new SelfCheckRow("RnnBackwardEpilogue tanh", path, sizes, ForwardEpilogueCheck.Sweep(s => Rnn(random, s, relu: false)), Allowed));
        rows.Add(new SelfCheckRow("RnnBackwardEpilogue relu", path, sizes, ForwardEpilogueCheck.Sweep(s => Rnn(random, s, relu: true)), Allowed));
        rows.Add(new SelfCheckRow("LstmBackwardEpilogue", path, sizes, ForwardEpilogueCheck.Sweep(s => Lstm(random, s, peephole: false)), Allowed));
        rows.Add(new SelfCheckRow("LstmBackwardEpilogue peephole", path, sizes, ForwardEpilogueCheck.Sweep(s => Lstm(random, s, peephole: true)), Allowed));
        rows.Add(new SelfCheckRow("GruBackwardEpilogue", path, sizes, ForwardEpilogueCheck.Sweep(s => Gru(random, s)), Allowed));
        rows.Add(new SelfCheckRow("GruBackwardEpilogue reset-before", path, sizes, ForwardEpilogueCheck.Sweep(s => GruResetBefore(random, s)), Allowed));
    }

    private static double Rnn(SeededValues random, EpilogueBuffers s, bool relu)
    {
        int hp = s.Padded;
        float[] h = random.Array(s.Batch * hp, -1f, 1f);
        if (relu)
        {
            for (int i = 0; i < h.Length; i++)
            {
                h[i] = Math.Max(h[i], 0f); // saved outputs of relu: zeros where it was cut
            }
        }

        float[] dh = random.Array(s.Batch * hp, -1f, 1f);
        double[] expected = new double[s.Batch * s.Units];
        for (int b = 0; b < s.Batch; b++)
        {
            for (int u = 0; u < s.Units; u++)
            {
                double y = h[(b * hp) + u], g = dh[(b * hp) + u];
                expected[(b * s.Units) + u] = relu ? (y > 0 ? g : 0) : g * (1 - (y * y));
            }
        }

        // Gradient rows one vector longer than the row, as the training workspace pads them.
        int dPreStride = hp + s.Width;
        float[] dPre = new float[s.Batch * dPreStride];
        RnnBackwardEpilogue.Backward(h, dh, dPre, hp, dPreStride, s.Batch, relu ? EpilogueOptions.Relu : EpilogueOptions.Standard);
        return ErrorMeasure.Relative(s.Natural(dPre, dPreStride), expected);
    }

    private static double Lstm(SeededValues random, EpilogueBuffers s, bool peephole)
    {
        int hp = s.Padded, w = s.Width, rows = s.Batch * s.Units;
        float[] gates = new float[s.Batch * 4 * hp];
        for (int i = 0; i < gates.Length; i++)
        {
            bool candidate = i / w % 4 == 2; // per vector of units: i, f, g, o
            gates[i] = candidate ? random.Next(-0.99f, 0.99f) : random.Next(0.01f, 0.99f);
        }

        float[] dm = random.Array(s.Batch * hp, -1f, 1f);
        float[] cPrev = random.Array(s.Batch * hp, -2f, 2f);
        float[] cNew = random.Array(s.Batch * hp, -2f, 2f);
        float[] dc = random.Array(s.Batch * hp, -1f, 1f);
        float[] peep = peephole ? random.Array(3 * hp, -1f, 1f) : [];
        float[] dPeep = peephole ? random.Array(3 * hp, -1f, 1f) : [];
        double[][] dGate = [new double[rows], new double[rows], new double[rows], new double[rows]];
        double[] dcPrev = new double[rows];
        double[] dPeepExpected = new double[3 * s.Units];
        for (int u = 0; u < s.Units && peephole; u++)
        {
            (dPeepExpected[u], dPeepExpected[s.Units + u], dPeepExpected[(2 * s.Units) + u]) = (dPeep[u], dPeep[hp + u], dPeep[(2 * hp) + u]);
        }

        for (int b = 0; b < s.Batch; b++)
        {
            for (int u = 0; u < s.Units; u++)
            {
                double Gate(int g) => gates[(b * 4 * hp) + PackedLayout.Index(4, w, g, u)];
                double i = Gate(0), f = Gate(1), z = Gate(2), o = Gate(3);
                int k = (b * hp) + u, at = (b * s.Units) + u;
                double c0 = cPrev[k], c1 = cNew[k], d = dm[k], tc = Math.Tanh(c1);
                double dO = d * tc * o * (1 - o);
                double dC = dc[k] + (d * o * (1 - (tc * tc))) + (peephole ? dO * peep[(2 * hp) + u] : 0);
                double dI = dC * z * i * (1 - i);
                double dF = dC * c0 * f * (1 - f);
                double dZ = dC * i * (1 - (z * z));
                (dGate[0][at], dGate[1][at], dGate[2][at], dGate[3][at]) = (dI, dF, dZ, dO);
                dcPrev[at] = (dC * f) + (peephole ? (dI * peep[u]) + (dF * peep[hp + u]) : 0);
                if (peephole)
                {
                    dPeepExpected[u] += dI * c0;
                    dPeepExpected[s.Units + u] += dF * c0;
                    dPeepExpected[(2 * s.Units) + u] += dO * c1;
                }
            }
        }

        int dGatesStride = (4 * hp) + w; // padded as the training workspace pads gradient rows
        float[] dGates = new float[s.Batch * dGatesStride];
        LstmBackwardEpilogue.Backward(gates, dm, cPrev, cNew, peep, dc, dGates, dGatesStride, dPeep, s.Batch, hp, EpilogueOptions.Standard);
        double error = ErrorMeasure.Relative(s.Natural(dc, hp), dcPrev);
        for (int g = 0; g < 4; g++)
        {
            error = ErrorMeasure.Worst(error, ErrorMeasure.Relative(s.Gate(dGates, dGatesStride, 4, g), dGate[g]));
        }

        if (peephole)
        {
            var one = new EpilogueBuffers(s.Units, 3, w);
            error = ErrorMeasure.Worst(error, ErrorMeasure.Relative(one.Natural(dPeep, hp), dPeepExpected));
        }

        return error;
    }

    private static float[] GruGates(SeededValues random, EpilogueBuffers s)
    {
        float[] gates = new float[s.Batch * 3 * s.Padded];
        for (int i = 0; i < gates.Length; i++)
        {
            bool candidate = i / s.Width % 3 == 2; // per vector of units: r, z, n
            gates[i] = candidate ? random.Next(-0.99f, 0.99f) : random.Next(0.01f, 0.99f);
        }

        return gates;
    }

    private static double Gru(SeededValues random, EpilogueBuffers s)
    {
        int hp = s.Padded, w = s.Width, rows = s.Batch * s.Units;
        float[] gates = GruGates(random, s);
        float[] hiddenGates = random.Array(s.Batch * 3 * hp, -2f, 2f);
        float[] hPrev = random.Array(s.Batch * hp, -1f, 1f);
        float[] dh = random.Array(s.Batch * hp, -1f, 1f);
        double[] dr = new double[rows], dz = new double[rows], dn = new double[rows], dhn = new double[rows], dhOut = new double[rows];
        for (int b = 0; b < s.Batch; b++)
        {
            for (int u = 0; u < s.Units; u++)
            {
                double Gate(int g) => gates[(b * 3 * hp) + PackedLayout.Index(3, w, g, u)];
                double r = Gate(0), z = Gate(1), n = Gate(2);
                double hn = hiddenGates[(b * 3 * hp) + PackedLayout.Index(3, w, 2, u)];
                int k = (b * hp) + u, at = (b * s.Units) + u;
                double d = dh[k];
                dn[at] = d * (1 - z) * (1 - (n * n));
                dz[at] = d * (hPrev[k] - n) * z * (1 - z);
                dr[at] = dn[at] * hn * r * (1 - r);
                dhn[at] = dn[at] * r;
                dhOut[at] = d * z;
            }
        }

        int dGatesStride = (3 * hp) + w; // padded as the training workspace pads gradient rows
        float[] dInput = new float[s.Batch * dGatesStride], dHidden = new float[s.Batch * dGatesStride];
        GruBackwardEpilogue.Backward(gates, hiddenGates, hPrev, dh, dInput, dHidden, dGatesStride, s.Batch, hp, EpilogueOptions.Standard);
        double error = ErrorMeasure.Relative(s.Natural(dh, hp), dhOut);
        double[][] inputExpected = [dr, dz, dn], hiddenExpected = [dr, dz, dhn];
        for (int g = 0; g < 3; g++)
        {
            error = ErrorMeasure.Worst(error, ErrorMeasure.Relative(s.Gate(dInput, dGatesStride, 3, g), inputExpected[g]));
            error = ErrorMeasure.Worst(error, ErrorMeasure.Relative(s.Gate(dHidden, dGatesStride, 3, g), hiddenExpected[g]));
        }

        return error;
    }

    private static double GruResetBefore(SeededValues random, EpilogueBuffers s)
    {
        int hp = s.Padded, w = s.Width, rows = s.Batch * s.Units;
        int stride = hp + w;
        float[] gates = GruGates(random, s);
        float[] hPrev = random.Array(s.Batch * hp, -1f, 1f);
        float[] dh = random.Array(s.Batch * hp, -1f, 1f);
        float[] dResetHidden = random.Array(s.Batch * stride, -1f, 1f); // stands for W_hnᵀ dn
        double[] dr = new double[rows], dz = new double[rows], dn = new double[rows], dhOut = new double[rows];
        for (int b = 0; b < s.Batch; b++)
        {
            for (int u = 0; u < s.Units; u++)
            {
                double Gate(int g) => gates[(b * 3 * hp) + PackedLayout.Index(3, w, g, u)];
                double r = Gate(0), z = Gate(1), n = Gate(2);
                int k = (b * hp) + u, at = (b * s.Units) + u;
                double d = dh[k], h = hPrev[k], dRh = dResetHidden[(b * stride) + u];
                dn[at] = d * (1 - z) * (1 - (n * n));
                dz[at] = d * (h - n) * z * (1 - z);
                dr[at] = dRh * h * r * (1 - r);
                dhOut[at] = (d * z) + (dRh * r);
            }
        }

        int inputStride = (3 * hp) + w, recurrentStride = (2 * hp) + w; // gradient rows padded as the training workspace pads them
        float[] dInput = new float[s.Batch * inputStride], dCandidate = new float[s.Batch * stride], dRecurrent = new float[s.Batch * recurrentStride];
        GruBackwardEpilogue.CandidateBackward(gates, hPrev, dh, dInput, inputStride, dCandidate, stride, s.Batch, hp, EpilogueOptions.Standard);
        double error = ErrorMeasure.Relative(s.Natural(dCandidate, stride), dn);
        GruBackwardEpilogue.ResetBackward(
            gates, hPrev, dResetHidden, stride, dh, dInput, inputStride, dRecurrent, recurrentStride, s.Batch, hp, EpilogueOptions.Standard);
        error = ErrorMeasure.Worst(error, ErrorMeasure.Relative(s.Natural(dh, hp), dhOut));
        double[][] inputExpected = [dr, dz, dn];
        for (int g = 0; g < 3; g++)
        {
            error = ErrorMeasure.Worst(error, ErrorMeasure.Relative(s.Gate(dInput, inputStride, 3, g), inputExpected[g]));
        }

        error = ErrorMeasure.Worst(error, ErrorMeasure.Relative(s.Gate(dRecurrent, recurrentStride, 2, 0), dr));
        return ErrorMeasure.Worst(error, ErrorMeasure.Relative(s.Gate(dRecurrent, recurrentStride, 2, 1), dz));
    }
}

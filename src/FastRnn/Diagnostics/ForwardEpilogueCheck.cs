using System;
using System.Collections.Generic;
using FastRnn.Kernels;

namespace FastRnn.Diagnostics;

/// <summary>
/// The fused forward epilogues (bias, gate activations, cell update) of every cell kind, on
/// packed gate rows, against the cell equations in double precision.
/// </summary>
internal static class ForwardEpilogueCheck
{
    private const double Allowed = 1e-5;

    public static void Run(List<SelfCheckRow> rows)
    {
        var random = new SeededValues(31);
        SimdPath path = Isa.Active;
        string sizes = EpilogueBuffers.SizesText + ", bias or none";
        rows.Add(new SelfCheckRow("RnnEpilogue tanh", path, sizes, Sweep(s => Rnn(random, s, relu: false)), Allowed));
        rows.Add(new SelfCheckRow("RnnEpilogue relu", path, sizes, Sweep(s => Rnn(random, s, relu: true)), Allowed));
        // ONNX's options: clip bounds every gate's pre-activation (peephole terms included), input_forget makes f = 1 - i.
        rows.Add(new SelfCheckRow("RnnEpilogue tanh, clip 1.5", path, sizes, Sweep(s => Rnn(random, s, relu: false, clip: 1.5)), Allowed));
        rows.Add(new SelfCheckRow("LstmEpilogue", path, sizes, Sweep(s => Lstm(random, s, peephole: false)), Allowed));
        rows.Add(new SelfCheckRow("LstmEpilogue peephole", path, sizes, Sweep(s => Lstm(random, s, peephole: true)), Allowed));
        rows.Add(new SelfCheckRow("LstmEpilogue peephole, clip 1.5, coupled", path, sizes, Sweep(s => Lstm(random, s, peephole: true, clip: 1.5, coupled: true)), Allowed));
        rows.Add(new SelfCheckRow("GruEpilogue", path, sizes, Sweep(s => Gru(random, s)), Allowed));
        rows.Add(new SelfCheckRow("GruEpilogue clip 1.5", path, sizes, Sweep(s => Gru(random, s, clip: 1.5)), Allowed));
        rows.Add(new SelfCheckRow("GruResetBeforeEpilogue", path, sizes, Sweep(s => GruResetBefore(random, s)), Allowed));
        rows.Add(new SelfCheckRow("GruResetBeforeEpilogue clip 1.5", path, sizes, Sweep(s => GruResetBefore(random, s, clip: 1.5)), Allowed));
    }

    /// <summary>The worst error of a check over every unit count and batch 1..3.</summary>
    internal static double Sweep(Func<EpilogueBuffers, double> check)
    {
        double worst = 0;
        foreach (int units in EpilogueBuffers.UnitCounts)
        {
            for (int batch = 1; batch <= 3; batch++)
            {
                worst = ErrorMeasure.Worst(worst, check(new EpilogueBuffers(units, batch, Isa.FloatsPerVector)));
            }
        }

        return worst;
    }

    private static bool WithBias(EpilogueBuffers s) => (s.Units + s.Batch) % 2 == 0;

    private static double Rnn(SeededValues random, EpilogueBuffers s, bool relu, double clip = double.PositiveInfinity)
    {
        int hp = s.Padded;
        float[] pre = random.Array(s.Batch * hp, -3f, 3f);
        float[] bias = WithBias(s) ? random.Array(hp, -1f, 1f) : [];
        double[] expected = new double[s.Batch * s.Units];
        for (int b = 0; b < s.Batch; b++)
        {
            for (int u = 0; u < s.Units; u++)
            {
                double a = Clip((double)pre[(b * hp) + u] + (bias.Length == 0 ? 0 : bias[u]), clip);
                expected[(b * s.Units) + u] = relu ? DoubleMath.Relu(a) : DoubleMath.Tanh(a);
            }
        }

        float[] h = new float[s.Batch * hp];
        RnnEpilogue.Forward(pre, hp, bias, h, s.Batch, relu ? EpilogueOptions.Relu : Options(clip, coupled: false));
        return ErrorMeasure.Relative(s.Natural(h, hp), expected);
    }

    // An ONNX clip of the pre-activation; infinity for none.
    private static double Clip(double a, double clip) => double.IsPositiveInfinity(clip) ? a : Math.Clamp(a, -clip, clip);

    private static double Lstm(SeededValues random, EpilogueBuffers s, bool peephole, double clip = double.PositiveInfinity, bool coupled = false)
    {
        int hp = s.Padded, w = s.Width, rows = s.Batch * s.Units;
        float[] gates = random.Array(s.Batch * 4 * hp, -3f, 3f);
        float[] bias = WithBias(s) ? random.Array(4 * hp, -1f, 1f) : [];
        float[] peep = peephole ? random.Array(3 * hp, -1f, 1f) : [];
        float[] cPrev = random.Array(s.Batch * hp, -2f, 2f);
        double[][] expectedGates = [new double[rows], new double[rows], new double[rows], new double[rows]];
        double[] expectedC = new double[rows], expectedH = new double[rows];
        for (int b = 0; b < s.Batch; b++)
        {
            for (int u = 0; u < s.Units; u++)
            {
                double[] a = new double[4];
                for (int g = 0; g < 4; g++)
                {
                    int at = PackedLayout.Index(4, w, g, u);
                    a[g] = (double)gates[(b * 4 * hp) + at] + (bias.Length == 0 ? 0 : bias[at]);
                }

                double c = cPrev[(b * hp) + u];
                double i = DoubleMath.Sigmoid(Clip(a[0] + (peephole ? peep[u] * c : 0), clip));
                double f = coupled ? 1 - i : DoubleMath.Sigmoid(Clip(a[1] + (peephole ? peep[hp + u] * c : 0), clip));
                double z = DoubleMath.Tanh(Clip(a[2], clip));
                double c2 = (f * c) + (i * z);
                double o = DoubleMath.Sigmoid(Clip(a[3] + (peephole ? peep[(2 * hp) + u] * c2 : 0), clip));
                int at2 = (b * s.Units) + u;
                (expectedGates[0][at2], expectedGates[1][at2], expectedGates[2][at2], expectedGates[3][at2]) = (i, f, z, o);
                expectedC[at2] = c2;
                expectedH[at2] = o * Math.Tanh(c2);
            }
        }

        float[] cNew = new float[s.Batch * hp], hNew = new float[s.Batch * hp];
        LstmEpilogue.Forward(gates, bias, peep, cPrev, cNew, hNew, s.Batch, hp, Options(clip, coupled));
        double error = ErrorMeasure.Worst(ErrorMeasure.Relative(s.Natural(cNew, hp), expectedC), ErrorMeasure.Relative(s.Natural(hNew, hp), expectedH));
        for (int g = 0; g < 4; g++)
        {
            error = ErrorMeasure.Worst(error, ErrorMeasure.Relative(s.Gate(gates, 4 * hp, 4, g), expectedGates[g]));
        }

        return error;
    }

    private static EpilogueOptions Options(double clip, bool coupled) =>
        double.IsPositiveInfinity(clip) && !coupled ? EpilogueOptions.Standard : new EpilogueOptions((float)clip, coupled, null);

    private static double Gru(SeededValues random, EpilogueBuffers s, double clip = double.PositiveInfinity)
    {
        int hp = s.Padded, w = s.Width, rows = s.Batch * s.Units;
        float[] inputGates = random.Array(s.Batch * 3 * hp, -3f, 3f);
        float[] hiddenGates = random.Array(s.Batch * 3 * hp, -3f, 3f);
        bool withBias = WithBias(s);
        float[] inputBias = withBias ? random.Array(3 * hp, -1f, 1f) : [];
        float[] hiddenBias = withBias ? random.Array(3 * hp, -1f, 1f) : [];
        float[] hPrev = random.Array(s.Batch * hp, -1f, 1f);
        double[] r = new double[rows], z = new double[rows], n = new double[rows], hn = new double[rows], h = new double[rows];
        for (int b = 0; b < s.Batch; b++)
        {
            for (int u = 0; u < s.Units; u++)
            {
                double Input(int g) => (double)inputGates[(b * 3 * hp) + PackedLayout.Index(3, w, g, u)] + (withBias ? inputBias[PackedLayout.Index(3, w, g, u)] : 0);
                double Hidden(int g) => (double)hiddenGates[(b * 3 * hp) + PackedLayout.Index(3, w, g, u)] + (withBias ? hiddenBias[PackedLayout.Index(3, w, g, u)] : 0);
                int at = (b * s.Units) + u;
                r[at] = DoubleMath.Sigmoid(Clip(Input(0) + Hidden(0), clip));
                z[at] = DoubleMath.Sigmoid(Clip(Input(1) + Hidden(1), clip));
                hn[at] = Hidden(2);
                n[at] = DoubleMath.Tanh(Clip(Input(2) + (r[at] * hn[at]), clip));
                h[at] = ((1 - z[at]) * n[at]) + (z[at] * hPrev[(b * hp) + u]);
            }
        }

        float[] hNew = new float[s.Batch * hp];
        GruEpilogue.Forward(inputGates, hiddenGates, inputBias, hiddenBias, hPrev, hNew, s.Batch, hp, Options(clip, coupled: false));
        double error = ErrorMeasure.Relative(s.Natural(hNew, hp), h);
        error = ErrorMeasure.Worst(error, ErrorMeasure.Relative(s.Gate(inputGates, 3 * hp, 3, 0), r));
        error = ErrorMeasure.Worst(error, ErrorMeasure.Relative(s.Gate(inputGates, 3 * hp, 3, 1), z));
        error = ErrorMeasure.Worst(error, ErrorMeasure.Relative(s.Gate(inputGates, 3 * hp, 3, 2), n));
        return ErrorMeasure.Worst(error, ErrorMeasure.Relative(s.Gate(hiddenGates, 3 * hp, 3, 2), hn));
    }

    private static double GruResetBefore(SeededValues random, EpilogueBuffers s, double clip = double.PositiveInfinity)
    {
        int hp = s.Padded, w = s.Width, rows = s.Batch * s.Units;
        int candidateStride = hp + w;
        float[] inputGates = random.Array(s.Batch * 3 * hp, -3f, 3f);
        float[] hiddenGates = random.Array(s.Batch * 2 * hp, -3f, 3f);
        bool withBias = WithBias(s);
        float[] inputBias = withBias ? random.Array(3 * hp, -1f, 1f) : [];
        float[] hiddenBias = withBias ? random.Array(3 * hp, -1f, 1f) : [];
        float[] hPrev = random.Array(s.Batch * hp, -1f, 1f);
        float[] candidate = random.Array(s.Batch * candidateStride, -3f, 3f); // stands for W_hn (r ⊙ h)
        double[] r = new double[rows], z = new double[rows], rh = new double[rows], n = new double[rows], h = new double[rows];
        for (int b = 0; b < s.Batch; b++)
        {
            for (int u = 0; u < s.Units; u++)
            {
                double InputBias(int g) => withBias ? inputBias[PackedLayout.Index(3, w, g, u)] : 0;
                double HiddenBias(int g) => withBias ? hiddenBias[PackedLayout.Index(3, w, g, u)] : 0;
                double Input(int g) => (double)inputGates[(b * 3 * hp) + PackedLayout.Index(3, w, g, u)] + InputBias(g);
                double Hidden(int g) => (double)hiddenGates[(b * 2 * hp) + PackedLayout.Index(2, w, g, u)] + HiddenBias(g);
                int at = (b * s.Units) + u;
                double hOld = hPrev[(b * hp) + u];
                r[at] = DoubleMath.Sigmoid(Clip(Input(0) + Hidden(0), clip));
                z[at] = DoubleMath.Sigmoid(Clip(Input(1) + Hidden(1), clip));
                rh[at] = r[at] * hOld;
                n[at] = DoubleMath.Tanh(Clip(Input(2) + candidate[(b * candidateStride) + u] + HiddenBias(2), clip));
                h[at] = ((1 - z[at]) * n[at]) + (z[at] * hOld);
            }
        }

        float[] resetHidden = new float[s.Batch * hp], hNew = new float[s.Batch * hp];
        EpilogueOptions options = Options(clip, coupled: false);
        GruResetBeforeEpilogue.Gates(inputGates, hiddenGates, inputBias, hiddenBias, hPrev, resetHidden, s.Batch, hp, options);
        double error = ErrorMeasure.Relative(s.Natural(resetHidden, hp), rh);
        GruResetBeforeEpilogue.State(inputGates, candidate, candidateStride, inputBias, hiddenBias, hPrev, hNew, s.Batch, hp, options);
        error = ErrorMeasure.Worst(error, ErrorMeasure.Relative(s.Natural(hNew, hp), h));
        error = ErrorMeasure.Worst(error, ErrorMeasure.Relative(s.Gate(inputGates, 3 * hp, 3, 0), r));
        error = ErrorMeasure.Worst(error, ErrorMeasure.Relative(s.Gate(inputGates, 3 * hp, 3, 1), z));
        return ErrorMeasure.Worst(error, ErrorMeasure.Relative(s.Gate(inputGates, 3 * hp, 3, 2), n));
    }
}

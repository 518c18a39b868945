using System;
using System.Collections.Generic;

namespace FastRnn.Tests.Reference;

/// <summary>Naive double-precision forward and exact BPTT of a multi-layer, possibly bidirectional RNN/LSTM/GRU
/// with PyTorch semantics, including pack_padded_sequence lengths. Written straight from the equations; it is
/// the judge for the production library and shares no code with it.</summary>
public static class ReferenceNetwork
{
    /// <summary>Runs the network. input is [T, B, I] ([B, T, I] if BatchFirst); h0 [L*D, B, Hout] and
    /// c0 [L*D, B, H] are zeros when null; lengths (each in 1..T) are all T when null.</summary>
    public static ReferenceForwardResult Forward(
        ReferenceConfig cfg,
        IReadOnlyDictionary<string, double[]> weights,
        double[] input,
        int seqLen,
        int batch,
        double[]? h0,
        double[]? c0,
        long[]? lengths) =>
        Run(cfg, weights, input, seqLen, batch, h0, c0, lengths).Result;

    /// <summary>Gradients of loss = sum(output*gradOutput) + sum(h_n*gradHN) + sum(c_n*gradCN)
    /// (null cotangents are zeros). Cotangents at padded output positions are ignored.</summary>
    public static ReferenceGradients Backward(
        ReferenceConfig cfg,
        IReadOnlyDictionary<string, double[]> weights,
        double[] input,
        int seqLen,
        int batch,
        double[]? h0,
        double[]? c0,
        long[]? lengths,
        double[] gradOutput,
        double[]? gradHN,
        double[]? gradCN)
    {
        Trace trace = Run(cfg, weights, input, seqLen, batch, h0, c0, lengths);
        int t = seqLen;
        int b = batch;
        int d = cfg.Directions;
        int hOut = cfg.OutputHidden;
        int hs = cfg.HiddenSize;
        int states = cfg.NumLayers * d;
        Check(gradOutput, t * b * d * hOut, "gradOutput");
        gradHN ??= new double[states * b * hOut];
        Check(gradHN, states * b * hOut, "gradHN");
        if (cfg.IsLstm)
        {
            gradCN ??= new double[states * b * hs];
            Check(gradCN, states * b * hs, "gradCN");
        }

        var gradWeights = new Dictionary<string, double[]>();
        foreach ((string name, int[] shape) in cfg.WeightShapes())
        {
            gradWeights[name] = new double[Count(shape)];
        }

        var gradH0 = new double[states * b * hOut];
        double[]? gradC0 = cfg.IsLstm ? new double[states * b * hs] : null;

        // dL/d(output of the current layer), time-major [T, B, D*Hout].
        double[] dOut = ToTimeMajor(cfg, gradOutput, t, b, d * hOut);
        for (int layer = cfg.NumLayers - 1; layer >= 0; layer--)
        {
            int inSize = cfg.LayerInputSize(layer);
            var dIn = new double[t * b * inSize];
            for (int dir = 0; dir < d; dir++)
            {
                ReferenceCellWeights w = ReferenceCellWeights.From(cfg, weights, layer, dir);
                ReferenceCellWeights g = ReferenceCellWeights.From(cfg, gradWeights, layer, dir);
                int state = layer * d + dir;
                for (int bi = 0; bi < b; bi++)
                {
                    double[] dh = ReferenceMath.Slice(gradHN, (state * b + bi) * hOut, hOut);
                    double[]? dc = cfg.IsLstm ? ReferenceMath.Slice(gradCN!, (state * b + bi) * hs, hs) : null;
                    int[] order = StepOrder(dir, trace.Lengths[bi]);
                    for (int k = order.Length - 1; k >= 0; k--)
                    {
                        int step = order[k];
                        ReferenceStep s = trace.Steps[StepIndex(d, b, t, layer, dir, bi, step)]!;
                        ReferenceMath.AddInPlace(dh, ReferenceMath.Slice(dOut, (step * b + bi) * d * hOut + dir * hOut, hOut));
                        double[] dx;
                        switch (cfg.Mode)
                        {
                            case ReferenceMode.Lstm:
                                (dx, dh, dc) = ReferenceLstmCell.Backward(cfg, w, g, s, dh, dc!);
                                break;
                            case ReferenceMode.Gru:
                                (dx, dh) = ReferenceGruCell.Backward(cfg, w, g, s, dh);
                                break;
                            default:
                                (dx, dh) = ReferenceRnnCell.Backward(cfg, w, g, s, dh);
                                break;
                        }

                        for (int j = 0; j < inSize; j++)
                        {
                            dIn[(step * b + bi) * inSize + j] += dx[j];
                        }
                    }

                    Array.Copy(dh, 0, gradH0, (state * b + bi) * hOut, hOut);
                    if (dc is not null)
                    {
                        Array.Copy(dc, 0, gradC0!, (state * b + bi) * hs, hs);
                    }
                }
            }

            dOut = dIn;
        }

        double[] gradInput = FromTimeMajor(cfg, dOut, t, b, cfg.InputSize);
        return new ReferenceGradients(gradInput, gradH0, gradC0, gradWeights) { SmallestReluInput = SmallestReluInput(cfg, trace) };
    }

    private static double SmallestReluInput(ReferenceConfig cfg, Trace trace)
    {
        double smallest = double.PositiveInfinity;
        if (cfg.Mode != ReferenceMode.RnnRelu)
        {
            return smallest;
        }

        foreach (ReferenceStep? s in trace.Steps)
        {
            foreach (double pre in s?.Pre ?? [])
            {
                smallest = Math.Min(smallest, Math.Abs(pre));
            }
        }

        return smallest;
    }

    private sealed class Trace
    {
        public required ReferenceForwardResult Result { get; init; }

        /// <summary>Indexed by <see cref="StepIndex"/>; null for padded steps.</summary>
        public required ReferenceStep?[] Steps { get; init; }

        public required int[] Lengths { get; init; }
    }

    /// <summary>Index of step t of sequence b in (layer, dir) in the flat step array.</summary>
    private static int StepIndex(int directions, int batch, int seqLen, int layer, int dir, int b, int t) =>
        ((layer * directions + dir) * batch + b) * seqLen + t;

    /// <summary>Time steps in processing order: forward 0..len-1, reverse len-1..0.</summary>
    private static int[] StepOrder(int dir, int length)
    {
        var order = new int[length];
        for (int k = 0; k < length; k++)
        {
            order[k] = dir == 0 ? k : length - 1 - k;
        }

        return order;
    }

    private static Trace Run(
        ReferenceConfig cfg,
        IReadOnlyDictionary<string, double[]> weights,
        double[] input,
        int seqLen,
        int batch,
        double[]? h0,
        double[]? c0,
        long[]? lengths)
    {
        cfg.Validate();
        int t = seqLen;
        int b = batch;
        int d = cfg.Directions;
        int hOut = cfg.OutputHidden;
        int hs = cfg.HiddenSize;
        int states = cfg.NumLayers * d;
        if (t < 1 || b < 1)
        {
            throw new ArgumentException("seqLen and batch must be positive");
        }

        Check(input, t * b * cfg.InputSize, "input");
        h0 ??= new double[states * b * hOut];
        Check(h0, states * b * hOut, "h0");
        if (cfg.IsLstm)
        {
            c0 ??= new double[states * b * hs];
            Check(c0, states * b * hs, "c0");
        }

        if (lengths is not null && lengths.Length != b)
        {
            throw new ArgumentException("lengths must have one entry per sequence");
        }

        var lens = new int[b];
        for (int bi = 0; bi < b; bi++)
        {
            long len = lengths is null ? t : lengths[bi];
            if (len < 1 || len > t)
            {
                throw new ArgumentException($"lengths[{bi}] = {len} is outside 1..{t}");
            }

            lens[bi] = (int)len;
        }

        var steps = new ReferenceStep?[states * b * t];
        var hn = new double[states * b * hOut];
        double[]? cn = cfg.IsLstm ? new double[states * b * hs] : null;
        // Input of the current layer, time-major [T, B, width].
        double[] layerIn = ToTimeMajor(cfg, input, t, b, cfg.InputSize);
        double stateScale = 0.0;
        for (int layer = 0; layer < cfg.NumLayers; layer++)
        {
            int inSize = cfg.LayerInputSize(layer);
            var layerOut = new double[t * b * d * hOut]; // padded positions stay 0
            for (int dir = 0; dir < d; dir++)
            {
                ReferenceCellWeights w = ReferenceCellWeights.From(cfg, weights, layer, dir);
                int state = layer * d + dir;
                for (int bi = 0; bi < b; bi++)
                {
                    double[] h = ReferenceMath.Slice(h0, (state * b + bi) * hOut, hOut);
                    double[]? c = cfg.IsLstm ? ReferenceMath.Slice(c0!, (state * b + bi) * hs, hs) : null;
                    foreach (int step in StepOrder(dir, lens[bi]))
                    {
                        double[] x = ReferenceMath.Slice(layerIn, (step * b + bi) * inSize, inSize);
                        ReferenceStep s = cfg.Mode switch
                        {
                            ReferenceMode.Lstm => ReferenceLstmCell.Forward(cfg, w, x, h, c!),
                            ReferenceMode.Gru => ReferenceGruCell.Forward(cfg, w, x, h),
                            _ => ReferenceRnnCell.Forward(cfg, w, x, h),
                        };
                        steps[StepIndex(d, b, t, layer, dir, bi, step)] = s;
                        stateScale = Math.Max(stateScale, Math.Max(ReferenceMath.MaxAbs(s.HNew), s.CNew is null ? 0.0 : ReferenceMath.MaxAbs(s.CNew)));
                        h = s.HNew;
                        c = s.CNew;
                        Array.Copy(h, 0, layerOut, (step * b + bi) * d * hOut + dir * hOut, hOut);
                    }

                    Array.Copy(h, 0, hn, (state * b + bi) * hOut, hOut);
                    if (cn is not null)
                    {
                        Array.Copy(c!, 0, cn, (state * b + bi) * hs, hs);
                    }
                }
            }

            layerIn = layerOut;
        }

        return new Trace
        {
            Result = new ReferenceForwardResult(FromTimeMajor(cfg, layerIn, t, b, d * hOut), hn, cn) { StateScale = stateScale },
            Steps = steps,
            Lengths = lens,
        };
    }

    /// <summary>[T, B, width] copy of a tensor laid out as [B, T, width] when BatchFirst, else as is.</summary>
    private static double[] ToTimeMajor(ReferenceConfig cfg, double[] x, int t, int b, int width)
    {
        var y = new double[t * b * width];
        for (int ti = 0; ti < t; ti++)
        {
            for (int bi = 0; bi < b; bi++)
            {
                int src = cfg.BatchFirst ? (bi * t + ti) * width : (ti * b + bi) * width;
                Array.Copy(x, src, y, (ti * b + bi) * width, width);
            }
        }

        return y;
    }

    /// <summary>Inverse of <see cref="ToTimeMajor"/>.</summary>
    private static double[] FromTimeMajor(ReferenceConfig cfg, double[] x, int t, int b, int width)
    {
        var y = new double[t * b * width];
        for (int ti = 0; ti < t; ti++)
        {
            for (int bi = 0; bi < b; bi++)
            {
                int dst = cfg.BatchFirst ? (bi * t + ti) * width : (ti * b + bi) * width;
                Array.Copy(x, (ti * b + bi) * width, y, dst, width);
            }
        }

        return y;
    }

    private static int Count(int[] shape)
    {
        int n = 1;
        foreach (int s in shape)
        {
            n *= s;
        }

        return n;
    }

    private static void Check(double[] v, int expected, string name)
    {
        if (v.Length != expected)
        {
            throw new ArgumentException($"{name} has {v.Length} elements, expected {expected}");
        }
    }
}

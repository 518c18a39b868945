namespace FastRnn.Tests.Reference;

/// <summary>LSTM cell, gates i, f, g, o (row blocks of the 4H rows), optional peepholes and projection:
/// i = σ(a_i + w_ci*c), f = σ(a_f + w_cf*c), g = tanh(a_g), c' = f*c + i*g, o = σ(a_o + w_co*c'),
/// m = o*tanh(c'), h' = m or W_hr m, where a = W_ih x + b_ih + W_hh h + b_hh.</summary>
internal static class ReferenceLstmCell
{
    public static ReferenceStep Forward(ReferenceConfig cfg, ReferenceCellWeights w, double[] x, double[] h, double[] c)
    {
        int hs = cfg.HiddenSize;
        double[] pre = ReferenceMath.Affine(w.Wih, w.Bih, w.InputSize, 0, 4 * hs, x);
        ReferenceMath.AddInPlace(pre, ReferenceMath.Affine(w.Whh, w.Bhh, cfg.OutputHidden, 0, 4 * hs, h));

        var gates = new double[4 * hs];
        var cNew = new double[hs];
        var tanhC = new double[hs];
        var m = new double[hs];
        for (int j = 0; j < hs; j++)
        {
            if (w.Wci is not null)
            {
                pre[j] += w.Wci[j] * c[j];
                pre[hs + j] += w.Wcf![j] * c[j];
            }

            double i = ReferenceMath.Sigmoid(pre[j]);
            double f = ReferenceMath.Sigmoid(pre[hs + j]);
            double gg = ReferenceMath.Tanh(pre[2 * hs + j]);
            cNew[j] = f * c[j] + i * gg;
            if (w.Wco is not null)
            {
                pre[3 * hs + j] += w.Wco[j] * cNew[j];
            }

            double o = ReferenceMath.Sigmoid(pre[3 * hs + j]);
            tanhC[j] = ReferenceMath.Tanh(cNew[j]);
            m[j] = o * tanhC[j];
            gates[j] = i;
            gates[hs + j] = f;
            gates[2 * hs + j] = gg;
            gates[3 * hs + j] = o;
        }

        double[] hNew = w.Whr is null ? m : ReferenceMath.Affine(w.Whr, null, hs, 0, cfg.ProjSize, m);
        return new ReferenceStep
        {
            X = x, HPrev = h, CPrev = c, Pre = pre, Gates = gates, CNew = cNew, TanhC = tanhC, M = m, HNew = hNew,
        };
    }

    /// <summary>Given dL/dh' and dL/dc', returns (dx, dh, dc) and accumulates weight gradients into g.</summary>
    public static (double[] dx, double[] dh, double[] dc) Backward(
        ReferenceConfig cfg, ReferenceCellWeights w, ReferenceCellWeights g, ReferenceStep s, double[] dhNew, double[] dcNew)
    {
        int hs = cfg.HiddenSize;
        double[] c = s.CPrev!;
        double[] dm;
        if (w.Whr is null)
        {
            dm = dhNew;
        }
        else
        {
            dm = new double[hs];
            ReferenceMath.AffineBackward(w.Whr, g.Whr, null, hs, 0, dhNew, s.M!, dm);
        }

        var dPre = new double[4 * hs];
        var dc = new double[hs];
        for (int j = 0; j < hs; j++)
        {
            double i = s.Gates[j];
            double f = s.Gates[hs + j];
            double gg = s.Gates[2 * hs + j];
            double o = s.Gates[3 * hs + j];
            double tc = s.TanhC![j];

            double dPreO = dm[j] * tc * ReferenceMath.SigmoidDerivativeFromOutput(o);
            double dcTotal = dcNew[j] + dm[j] * o * ReferenceMath.TanhDerivativeFromOutput(tc);
            if (w.Wco is not null)
            {
                dcTotal += dPreO * w.Wco[j];
                g.Wco![j] += dPreO * s.CNew![j];
            }

            double dPreI = dcTotal * gg * ReferenceMath.SigmoidDerivativeFromOutput(i);
            double dPreF = dcTotal * c[j] * ReferenceMath.SigmoidDerivativeFromOutput(f);
            double dPreG = dcTotal * i * ReferenceMath.TanhDerivativeFromOutput(gg);
            dc[j] = dcTotal * f;
            if (w.Wci is not null)
            {
                dc[j] += dPreI * w.Wci[j] + dPreF * w.Wcf![j];
                g.Wci![j] += dPreI * c[j];
                g.Wcf![j] += dPreF * c[j];
            }

            dPre[j] = dPreI;
            dPre[hs + j] = dPreF;
            dPre[2 * hs + j] = dPreG;
            dPre[3 * hs + j] = dPreO;
        }

        var dx = new double[w.InputSize];
        var dh = new double[cfg.OutputHidden];
        ReferenceMath.AffineBackward(w.Wih, g.Wih, g.Bih, w.InputSize, 0, dPre, s.X, dx);
        ReferenceMath.AffineBackward(w.Whh, g.Whh, g.Bhh, cfg.OutputHidden, 0, dPre, s.HPrev, dh);
        return (dx, dh, dc);
    }
}

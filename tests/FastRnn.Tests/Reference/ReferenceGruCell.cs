namespace FastRnn.Tests.Reference;

/// <summary>GRU cell, gates r, z, n (row blocks of the 3H rows):
/// r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
/// n = tanh(W_in x + b_in + r*(W_hn h + b_hn))   (standard, PyTorch)
/// n = tanh(W_in x + b_in + W_hn (r*h) + b_hn)   (reset_before),
/// h' = (1 - z)*n + z*h.</summary>
internal static class ReferenceGruCell
{
    public static ReferenceStep Forward(ReferenceConfig cfg, ReferenceCellWeights w, double[] x, double[] h)
    {
        int hs = cfg.HiddenSize;
        bool resetBefore = cfg.Variant == ReferenceVariant.ResetBefore;
        double[] gi = ReferenceMath.Affine(w.Wih, w.Bih, w.InputSize, 0, 3 * hs, x);
        double[] ghRz = ReferenceMath.Affine(w.Whh, w.Bhh, hs, 0, 2 * hs, h);

        var gates = new double[3 * hs];
        var resetH = new double[hs];
        for (int j = 0; j < hs; j++)
        {
            gates[j] = ReferenceMath.Sigmoid(gi[j] + ghRz[j]);
            gates[hs + j] = ReferenceMath.Sigmoid(gi[hs + j] + ghRz[hs + j]);
            resetH[j] = gates[j] * h[j];
        }

        double[] hiddenN = ReferenceMath.Affine(w.Whh, w.Bhh, hs, 2 * hs, hs, resetBefore ? resetH : h);
        var hNew = new double[hs];
        for (int j = 0; j < hs; j++)
        {
            double r = gates[j];
            double z = gates[hs + j];
            double n = ReferenceMath.Tanh(gi[2 * hs + j] + (resetBefore ? hiddenN[j] : r * hiddenN[j]));
            gates[2 * hs + j] = n;
            hNew[j] = (1.0 - z) * n + z * h[j];
        }

        return new ReferenceStep
        {
            X = x, HPrev = h, Gates = gates, HiddenN = hiddenN, ResetH = resetBefore ? resetH : null, HNew = hNew,
        };
    }

    /// <summary>Given dL/dh', returns (dx, dh) and accumulates weight gradients into g.</summary>
    public static (double[] dx, double[] dh) Backward(
        ReferenceConfig cfg, ReferenceCellWeights w, ReferenceCellWeights g, ReferenceStep s, double[] dhNew)
    {
        int hs = cfg.HiddenSize;
        bool resetBefore = cfg.Variant == ReferenceVariant.ResetBefore;
        double[] h = s.HPrev;
        var dh = new double[hs];
        var dPreN = new double[hs];
        var dz = new double[hs];
        for (int j = 0; j < hs; j++)
        {
            double z = s.Gates[hs + j];
            double n = s.Gates[2 * hs + j];
            dPreN[j] = dhNew[j] * (1.0 - z) * ReferenceMath.TanhDerivativeFromOutput(n);
            dz[j] = dhNew[j] * (h[j] - n);
            dh[j] = dhNew[j] * z;
        }

        // Hidden-side n block and dL/dr.
        var dr = new double[hs];
        if (resetBefore)
        {
            var dResetH = new double[hs];
            ReferenceMath.AffineBackward(w.Whh, g.Whh, g.Bhh, hs, 2 * hs, dPreN, s.ResetH!, dResetH);
            for (int j = 0; j < hs; j++)
            {
                dr[j] = dResetH[j] * h[j];
                dh[j] += dResetH[j] * s.Gates[j];
            }
        }
        else
        {
            var dHiddenN = new double[hs];
            for (int j = 0; j < hs; j++)
            {
                dHiddenN[j] = dPreN[j] * s.Gates[j];
                dr[j] = dPreN[j] * s.HiddenN![j];
            }

            ReferenceMath.AffineBackward(w.Whh, g.Whh, g.Bhh, hs, 2 * hs, dHiddenN, h, dh);
        }

        var dRz = new double[2 * hs];
        var dGi = new double[3 * hs];
        for (int j = 0; j < hs; j++)
        {
            dRz[j] = dr[j] * ReferenceMath.SigmoidDerivativeFromOutput(s.Gates[j]);
            dRz[hs + j] = dz[j] * ReferenceMath.SigmoidDerivativeFromOutput(s.Gates[hs + j]);
            dGi[j] = dRz[j];
            dGi[hs + j] = dRz[hs + j];
            dGi[2 * hs + j] = dPreN[j];
        }

        ReferenceMath.AffineBackward(w.Whh, g.Whh, g.Bhh, hs, 0, dRz, h, dh);
        var dx = new double[w.InputSize];
        ReferenceMath.AffineBackward(w.Wih, g.Wih, g.Bih, w.InputSize, 0, dGi, s.X, dx);
        return (dx, dh);
    }
}

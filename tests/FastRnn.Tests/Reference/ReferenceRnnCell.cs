namespace FastRnn.Tests.Reference;

/// <summary>Elman cell: h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu.</summary>
internal static class ReferenceRnnCell
{
    public static ReferenceStep Forward(ReferenceConfig cfg, ReferenceCellWeights w, double[] x, double[] h)
    {
        int hs = cfg.HiddenSize;
        double[] pre = ReferenceMath.Affine(w.Wih, w.Bih, w.InputSize, 0, hs, x);
        ReferenceMath.AddInPlace(pre, ReferenceMath.Affine(w.Whh, w.Bhh, hs, 0, hs, h));
        var hNew = new double[hs];
        for (int j = 0; j < hs; j++)
        {
            hNew[j] = cfg.Mode == ReferenceMode.RnnRelu ? ReferenceMath.Relu(pre[j]) : ReferenceMath.Tanh(pre[j]);
        }

        return new ReferenceStep { X = x, HPrev = h, Pre = pre, Gates = hNew, HNew = hNew };
    }

    /// <summary>Returns (dx, dh) and accumulates weight gradients into g.</summary>
    public static (double[] dx, double[] dh) Backward(
        ReferenceConfig cfg, ReferenceCellWeights w, ReferenceCellWeights g, ReferenceStep s, double[] dhNew)
    {
        int hs = cfg.HiddenSize;
        var dPre = new double[hs];
        for (int j = 0; j < hs; j++)
        {
            double derivative = cfg.Mode == ReferenceMode.RnnRelu
                ? ReferenceMath.ReluDerivative(s.Pre![j])
                : ReferenceMath.TanhDerivativeFromOutput(s.HNew[j]);
            dPre[j] = dhNew[j] * derivative;
        }

        var dx = new double[w.InputSize];
        var dh = new double[hs];
        ReferenceMath.AffineBackward(w.Wih, g.Wih, g.Bih, w.InputSize, 0, dPre, s.X, dx);
        ReferenceMath.AffineBackward(w.Whh, g.Whh, g.Bhh, hs, 0, dPre, s.HPrev, dh);
        return (dx, dh);
    }
}

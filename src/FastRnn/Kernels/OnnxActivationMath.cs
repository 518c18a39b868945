using System.Runtime.CompilerServices;

namespace FastRnn.Kernels;

/// <summary>
/// The activation functions ONNX's recurrent operators add to sigmoid, tanh and relu, written once
/// for every path. Each returns NaN for NaN. Unlike sigmoid and tanh they do not flush: where the
/// exact result is subnormal (α·x of a tiny x) so is theirs. Accuracy against double precision (kernel tests):
/// LeakyRelu and ThresholdedRelu round at most once; Affine and HardSigmoid once with FMA and twice
/// without (error ≤ 2^-24·(|α·x| + |β| + |result|)); Softsign within 2.4e-7 relative;
/// Elu and Softplus within 4e-7 relative (e^x − 1 and log(1 + e^x) are computed without
/// cancellation, where ONNX Runtime's float formulas lose digits); ScaledTanh inherits tanh's bounds.
/// </summary>
internal static class OnnxActivationMath
{
    // Below this, e^x - 1 is computed as e^x minus 1 (its relative error stays under 2e-7 there).
    private const float Expm1Switch = -0.5f;

    // Where the exponential stays normal (see ActivationMath).
    private const float ExpClamp = 86f;

    // Softsign's |x| is capped here so that 1 + |x| stays finite; a/(1+a) is 1 in float32 long before.
    private const float SoftsignCap = 1.0e30f;

    /// <summary>α·x + β.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Affine<TOps, TVec>(TVec x, TVec alpha, TVec beta)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        => TOps.MultiplyAdd(alpha, x, beta);

    /// <summary>x if x ≥ 0, else α·x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec LeakyRelu<TOps, TVec>(TVec x, TVec alpha)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        => TOps.Select(TOps.LessThan(x, TOps.Zero), TOps.Multiply(alpha, x), x);

    /// <summary>x if x &gt; α, else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec ThresholdedRelu<TOps, TVec>(TVec x, TVec alpha)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        => TOps.Select(TOps.IsNaN(x), x, TOps.Select(TOps.LessThan(alpha, x), x, TOps.Zero));

    /// <summary>α·tanh(β·x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec ScaledTanh<TOps, TVec>(TVec x, TVec alpha, TVec beta)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        => TOps.Multiply(alpha, ActivationMath.Tanh<TOps, TVec>(TOps.Multiply(beta, x)));

    /// <summary>min(max(α·x + β, 0), 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec HardSigmoid<TOps, TVec>(TVec x, TVec alpha, TVec beta)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        TVec a = TOps.MultiplyAdd(alpha, x, beta);
        TVec bounded = TOps.MinNative(TOps.MaxNative(a, TOps.Zero), TOps.Broadcast(1f));
        return TOps.Select(TOps.IsNaN(a), a, bounded);
    }

    /// <summary>x if x ≥ 0, else α·(e^x − 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Elu<TOps, TVec>(TVec x, TVec alpha)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        TVec negative = TOps.MaxNative(TOps.MinNative(x, TOps.Zero), TOps.Broadcast(-ExpClamp));
        return TOps.Select(TOps.LessThan(x, TOps.Zero), TOps.Multiply(alpha, ExpMinusOne<TOps, TVec>(negative)), x);
    }

    /// <summary>x / (1 + |x|).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Softsign<TOps, TVec>(TVec x)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        TVec a = TOps.MinNative(TOps.Abs(x), TOps.Broadcast(SoftsignCap));
        TVec s = TOps.CopySign(TOps.Divide(a, TOps.Add(a, TOps.Broadcast(1f))), x);
        return TOps.Select(TOps.IsNaN(x), x, s);
    }

    /// <summary>log(1 + e^x), as max(x, 0) + log(1 + e^−|x|): no overflow for large x, full relative precision for very negative x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Softplus<TOps, TVec>(TVec x)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        TVec a = TOps.MinNative(TOps.Abs(x), TOps.Broadcast(ExpClamp));
        TVec u = ActivationMath.ExpClamped<TOps, TVec>(TOps.Subtract(TOps.Zero, a));
        TVec positive = TOps.MaxNative(x, TOps.Zero);
        TVec s = TOps.Add(positive, LogOnePlus<TOps, TVec>(u));
        return TOps.Select(TOps.IsNaN(x), x, s);
    }

    /// <summary>e^x − 1 for x in [-86, 0]: the Taylor series near 0, e^x − 1 below -0.5.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec ExpMinusOne<TOps, TVec>(TVec x)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        // x + x²/2! + … + x¹¹/11!: truncation below 5e-13 relative for |x| ≤ 0.5.
        TVec s = TOps.MaxNative(x, TOps.Broadcast(Expm1Switch));
        TVec p = TOps.Broadcast(1f / 39916800f);
        p = TOps.MultiplyAdd(p, s, TOps.Broadcast(1f / 3628800f));
        p = TOps.MultiplyAdd(p, s, TOps.Broadcast(1f / 362880f));
        p = TOps.MultiplyAdd(p, s, TOps.Broadcast(1f / 40320f));
        p = TOps.MultiplyAdd(p, s, TOps.Broadcast(1f / 5040f));
        p = TOps.MultiplyAdd(p, s, TOps.Broadcast(1f / 720f));
        p = TOps.MultiplyAdd(p, s, TOps.Broadcast(1f / 120f));
        p = TOps.MultiplyAdd(p, s, TOps.Broadcast(1f / 24f));
        p = TOps.MultiplyAdd(p, s, TOps.Broadcast(1f / 6f));
        p = TOps.MultiplyAdd(p, s, TOps.Broadcast(0.5f));
        TVec small = TOps.MultiplyAdd(TOps.Multiply(p, s), s, s);
        TVec large = TOps.Subtract(ActivationMath.ExpClamped<TOps, TVec>(x), TOps.Broadcast(1f));
        return TOps.Select(TOps.LessThan(x, TOps.Broadcast(Expm1Switch)), large, small);
    }

    /// <summary>log(1 + u) for u in [0, 1], as 2·atanh(u / (2 + u)), whose series converges fast there (the argument is at most 1/3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec LogOnePlus<TOps, TVec>(TVec u)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        TVec s = TOps.Divide(u, TOps.Add(u, TOps.Broadcast(2f)));
        TVec s2 = TOps.Multiply(s, s);

        // 1 + s²/3 + s⁴/5 + … + s¹⁶/17: truncation below 2e-9 relative for s ≤ 1/3.
        TVec p = TOps.Broadcast(1f / 17f);
        p = TOps.MultiplyAdd(p, s2, TOps.Broadcast(1f / 15f));
        p = TOps.MultiplyAdd(p, s2, TOps.Broadcast(1f / 13f));
        p = TOps.MultiplyAdd(p, s2, TOps.Broadcast(1f / 11f));
        p = TOps.MultiplyAdd(p, s2, TOps.Broadcast(1f / 9f));
        p = TOps.MultiplyAdd(p, s2, TOps.Broadcast(1f / 7f));
        p = TOps.MultiplyAdd(p, s2, TOps.Broadcast(1f / 5f));
        p = TOps.MultiplyAdd(p, s2, TOps.Broadcast(1f / 3f));
        TVec twoS = TOps.Add(s, s);
        return TOps.MultiplyAdd(TOps.Multiply(twoS, s2), p, twoS);
    }
}

using System.Runtime.CompilerServices;

namespace FastRnn.Kernels;

/// <summary>
/// Vectorised sigmoid, tanh, ReLU and exp, written once for every path.
/// </summary>
/// <remarks>
/// Accuracy against double precision, measured over dense sweeps and random samples by the
/// kernel tests (see README, "Numerics"): tanh has relative error below 2e-7 for |x| &lt; 0.625
/// and absolute error below 1e-7 elsewhere (over every float in [2^-12, 10), on every path with
/// and without FMA: at most 1.83e-7 and 8.7e-8); sigmoid has absolute error below 1e-7 everywhere
/// and relative error below 2.5e-7 down to sigmoid(-86). Both saturate exactly (tanh to ±1,
/// sigmoid to 1) for large |x| up to float.MaxValue and return NaN for NaN. Inputs are clamped
/// and tiny inputs are short-cut so that no intermediate is ever subnormal: denormal operands
/// take microcode assists on some CPUs and would make a step data-dependently slow.
/// </remarks>
internal static class ActivationMath
{
    // Below this magnitude tanh(x) rounds to x and sigmoid(x) rounds to 0.5 in float32.
    private const float TinyTanh = 2.44140625e-4f; // 2^-12
    private const float TinySigmoid = 9.31322575e-10f; // 2^-30

    // Exp arguments are kept where 2^n stays a normal float and the polynomial result too.
    private const float ExpClamp = 86f;

    // Where tanh switches from -(E - 1) / (1 + E) to 1 - 2E / (1 + E), E = e^{-2|x|}.
    private const float TanhSwitch = 0.625f;

    // Above this, tanh(x) is 1 in float32 (tanh(9.01) = 1 - 3e-8).
    private const float TanhSaturate = 9.5f;

    private const float Log2E = 1.44269504088896341f;
    private const float RoundMagic = 12582912f; // 1.5 * 2^23: adding and subtracting rounds to an integer.

    // Cody-Waite split of ln 2 (Cephes): the high part has few mantissa bits, so n * Ln2Hi is exact.
    private const float Ln2Hi = 0.693359375f;
    private const float Ln2Lo = -2.12194440e-4f;

    /// <summary>e^x for x already clamped to [-86, 86] (Cephes expf minimax polynomial).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec ExpClamped<TOps, TVec>(TVec x)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        TVec r = Reduce<TOps, TVec>(x, out TVec n);
        TVec p = TOps.MultiplyAdd(ExpPolynomial<TOps, TVec>(r), TOps.Multiply(r, r), TOps.Add(r, TOps.Broadcast(1f)));
        return TOps.ScaleByPow2(p, n);
    }

    // x = n ln 2 + r with n integral and |r| <= ln 2 / 2.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Reduce<TOps, TVec>(TVec x, out TVec n)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        TVec magic = TOps.Broadcast(RoundMagic);
        n = TOps.Subtract(TOps.MultiplyAdd(x, TOps.Broadcast(Log2E), magic), magic);
        TVec r = TOps.MultiplyAdd(n, TOps.Broadcast(-Ln2Hi), x);
        return TOps.MultiplyAdd(n, TOps.Broadcast(-Ln2Lo), r);
    }

    // p(r) with e^r = 1 + r + r^2 p(r) on the reduced range.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec ExpPolynomial<TOps, TVec>(TVec r)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        TVec p = TOps.Broadcast(1.9875691500E-4f);
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(1.3981999507E-3f));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(8.3334519073E-3f));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(4.1665795894E-2f));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(1.6666665459E-1f));
        return TOps.MultiplyAdd(p, r, TOps.Broadcast(5.0000001201E-1f));
    }

    /// <summary>1 / (1 + e^-x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Sigmoid<TOps, TVec>(TVec x)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        TVec clamp = TOps.Broadcast(ExpClamp);
        TVec xc = TOps.MaxNative(TOps.MinNative(x, clamp), TOps.Broadcast(-ExpClamp));
        xc = TOps.Select(TOps.LessThan(TOps.Abs(x), TOps.Broadcast(TinySigmoid)), TOps.Zero, xc);
        TVec one = TOps.Broadcast(1f);
        TVec e = ExpClamped<TOps, TVec>(TOps.Subtract(TOps.Zero, xc));
        TVec s = TOps.Divide(one, TOps.Add(one, e));
        return TOps.Select(TOps.IsNaN(x), x, s);
    }

    /// <summary>Hyperbolic tangent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Tanh<TOps, TVec>(TVec x)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        TVec a = TOps.Abs(x);

        // With E = e^{-2|x|}: tanh|x| = -(E - 1) / (1 + E) near the origin and 1 - 2E / (1 + E) away
        // from it, each form free of cancellation where it is used. One exp reduction gives both
        // E = 2^n (1 + u) and E - 1 = 2^n u + (2^n - 1), with u = e^r - 1 = r + r^2 p(r) accurate to
        // the last bits as r goes to 0, so neither form needs a second polynomial.
        TVec l = TOps.MaxNative(TOps.MinNative(a, TOps.Broadcast(TanhSaturate)), TOps.Broadcast(TinyTanh));
        TVec r = Reduce<TOps, TVec>(TOps.Multiply(l, TOps.Broadcast(-2f)), out TVec n);
        TVec u = TOps.MultiplyAdd(TOps.Multiply(r, ExpPolynomial<TOps, TVec>(r)), r, r);
        TVec scale = TOps.Pow2(n);
        TVec e = TOps.MultiplyAdd(scale, u, scale);
        TVec em1 = TOps.MultiplyAdd(scale, u, TOps.Subtract(scale, TOps.Broadcast(1f)));
        TVec nearOrigin = TOps.LessThan(a, TOps.Broadcast(TanhSwitch));
        TVec q = TOps.Divide(TOps.Select(nearOrigin, em1, TOps.Add(e, e)), TOps.Add(e, TOps.Broadcast(1f)));
        TVec t = TOps.CopySign(TOps.Select(nearOrigin, q, TOps.Subtract(TOps.Broadcast(1f), q)), x);

        // Tiny inputs (tanh x rounds to x) and NaN come back as they are.
        return TOps.Select(TOps.LessThan(TOps.Broadcast(TinyTanh), a), t, x);
    }

    /// <summary>max(x, 0), with NaN kept as NaN (PyTorch's relu).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Relu<TOps, TVec>(TVec x)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        => TOps.Select(TOps.LessThan(x, TOps.Zero), TOps.Zero, x);
}

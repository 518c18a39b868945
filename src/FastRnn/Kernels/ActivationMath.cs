using System.Runtime.CompilerServices;

namespace FastRnn.Kernels;

/// <summary>
/// Vectorised sigmoid, tanh, ReLU and exp, written once for every path.
/// </summary>
/// <remarks>
/// Accuracy against double precision, measured over dense sweeps and random samples by the
/// kernel tests (see README, "Numerics"): tanh has relative error below 2e-7 for |x| &lt; 0.625
/// and absolute error below 1e-7 elsewhere; sigmoid has absolute error below 1e-7 everywhere
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

    // Where tanh switches from its odd Taylor polynomial to 1 - 2/(exp(2|x|) + 1).
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
        TVec magic = TOps.Broadcast(RoundMagic);
        TVec n = TOps.Subtract(TOps.MultiplyAdd(x, TOps.Broadcast(Log2E), magic), magic);
        TVec r = TOps.MultiplyAdd(n, TOps.Broadcast(-Ln2Hi), x);
        r = TOps.MultiplyAdd(n, TOps.Broadcast(-Ln2Lo), r);

        TVec p = TOps.Broadcast(1.9875691500E-4f);
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(1.3981999507E-3f));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(8.3334519073E-3f));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(4.1665795894E-2f));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(1.6666665459E-1f));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(5.0000001201E-1f));
        p = TOps.MultiplyAdd(p, TOps.Multiply(r, r), TOps.Add(r, TOps.Broadcast(1f)));
        return TOps.Multiply(p, TOps.Pow2(n));
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
        TVec one = TOps.Broadcast(1f);

        // Near the origin: the odd Taylor series through x^19 (truncation below 1e-8 relative).
        TVec s = TOps.MaxNative(TOps.MinNative(a, TOps.Broadcast(TanhSwitch)), TOps.Broadcast(TinyTanh));
        TVec s2 = TOps.Multiply(s, s);
        TVec p = TOps.Broadcast(2.39129114243552481e-4f);
        p = TOps.MultiplyAdd(p, s2, TOps.Broadcast(-5.90027440945585993e-4f));
        p = TOps.MultiplyAdd(p, s2, TOps.Broadcast(1.45583438705131827e-3f));
        p = TOps.MultiplyAdd(p, s2, TOps.Broadcast(-3.59212803657248102e-3f));
        p = TOps.MultiplyAdd(p, s2, TOps.Broadcast(8.86323552990219657e-3f));
        p = TOps.MultiplyAdd(p, s2, TOps.Broadcast(-2.18694885361552028e-2f));
        p = TOps.MultiplyAdd(p, s2, TOps.Broadcast(5.39682539682539683e-2f));
        p = TOps.MultiplyAdd(p, s2, TOps.Broadcast(-1.33333333333333333e-1f));
        p = TOps.MultiplyAdd(p, s2, TOps.Broadcast(3.33333333333333333e-1f));
        TVec small = TOps.Subtract(s, TOps.Multiply(TOps.Multiply(s, s2), p));
        small = TOps.Select(TOps.LessThan(a, TOps.Broadcast(TinyTanh)), a, small);

        // Away from it: 1 - 2 / (e^{2|x|} + 1), which has no cancellation there.
        TVec l = TOps.MaxNative(TOps.MinNative(a, TOps.Broadcast(TanhSaturate)), TOps.Broadcast(TanhSwitch));
        TVec e = ExpClamped<TOps, TVec>(TOps.Add(l, l));
        TVec large = TOps.Subtract(one, TOps.Divide(TOps.Broadcast(2f), TOps.Add(e, one)));
        large = TOps.Select(TOps.LessThan(a, TOps.Broadcast(TanhSaturate)), large, one);

        TVec t = TOps.CopySign(TOps.Select(TOps.LessThan(a, TOps.Broadcast(TanhSwitch)), small, large), x);
        return TOps.Select(TOps.IsNaN(x), x, t);
    }

    /// <summary>max(x, 0), with NaN kept as NaN (PyTorch's relu).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Relu<TOps, TVec>(TVec x)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        => TOps.Select(TOps.LessThan(x, TOps.Zero), TOps.Zero, x);
}

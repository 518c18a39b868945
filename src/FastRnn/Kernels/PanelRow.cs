using System.Runtime.CompilerServices;

namespace FastRnn.Kernels;

/// <summary>
/// One row of a register block over the vectors of a panel (its shape, a <see cref="ICount"/>), written once for the
/// product kernels (<see cref="PackedMatMul"/>, <see cref="TransposedProduct"/>, and the accumulation of
/// <see cref="Int8MatMul"/>): load the vectors, add one broadcast times them into the row's accumulators,
/// write the accumulators out.
/// </summary>
/// <remarks>
/// The accumulators are the caller's locals, passed by reference into these inlined helpers, so after inlining
/// they are registers as if the loop were written out; <c>TShape.Value</c> is a JIT-time constant, so a
/// vector the shape lacks costs nothing.
/// </remarks>
internal static class PanelRow
{
    /// <summary>Loads the shape's vectors stored side by side ([vector][lane]); the vectors it lacks are zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load<TOps, TVec, TShape>(ref float source, out TVec v0, out TVec v1, out TVec v2, out TVec v3)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        where TShape : struct, ICount
    {
        int n = TOps.Count;
        v0 = TOps.Load(ref source);
        v1 = TShape.Value > 1 ? TOps.Load(ref Unsafe.Add(ref source, n)) : TOps.Zero;
        v2 = TShape.Value > 2 ? TOps.Load(ref Unsafe.Add(ref source, 2 * n)) : TOps.Zero;
        v3 = TShape.Value > 3 ? TOps.Load(ref Unsafe.Add(ref source, 3 * n)) : TOps.Zero;
    }

    /// <summary>
    /// s_i = MultiplyAdd(v_i, x, s_i) for each vector of the shape: one chain per accumulator. The float kernels
    /// pass their <see cref="ISimdOps{TVec}"/> (a multiply-add), the int8 kernel its <see cref="IInt8DotOps{TI, TAcc}"/>
    /// (exact sums of column pairs).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MultiplyAdd<TOps, TIn, TAcc, TShape>(
        TIn x, TIn v0, TIn v1, TIn v2, TIn v3, ref TAcc s0, ref TAcc s1, ref TAcc s2, ref TAcc s3)
        where TOps : struct, IMultiplyAdd<TIn, TAcc>
        where TIn : struct
        where TAcc : struct
        where TShape : struct, ICount
    {
        s0 = TOps.MultiplyAdd(v0, x, s0);
        if (TShape.Value > 1)
        {
            s1 = TOps.MultiplyAdd(v1, x, s1);
        }

        if (TShape.Value > 2)
        {
            s2 = TOps.MultiplyAdd(v2, x, s2);
        }

        if (TShape.Value > 3)
        {
            s3 = TOps.MultiplyAdd(v3, x, s3);
        }
    }

    /// <summary>Writes the shape's accumulators to y, y + Count, ... as <paramref name="write"/> says.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write<TOps, TVec, TShape>(ref float y, TVec s0, TVec s1, TVec s2, TVec s3, ProductWrite write)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        where TShape : struct, ICount
    {
        int n = TOps.Count;
        Write<TOps, TVec>(ref y, s0, write);
        if (TShape.Value > 1)
        {
            Write<TOps, TVec>(ref Unsafe.Add(ref y, n), s1, write);
        }

        if (TShape.Value > 2)
        {
            Write<TOps, TVec>(ref Unsafe.Add(ref y, 2 * n), s2, write);
        }

        if (TShape.Value > 3)
        {
            Write<TOps, TVec>(ref Unsafe.Add(ref y, 3 * n), s3, write);
        }
    }

    // y = sum, or y += sum. The sums start at +0, so writing them equals adding them to a cleared y bit for bit.
    // Callers that pass a constant write mode get only its branch.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Write<TOps, TVec>(ref float y, TVec sum, ProductWrite write)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        switch (write)
        {
            case ProductWrite.Accumulate:
                TOps.Store(TOps.Add(TOps.Load(ref y), sum), ref y);
                break;
            case ProductWrite.Overwrite:
                TOps.Store(sum, ref y);
                break;
            default:
                TOps.StoreNonTemporal(sum, ref y);
                break;
        }
    }
}

/// <summary>The multiply-accumulate of a path, on its own so that <see cref="PanelRow"/> serves float and integer kernels.</summary>
/// <typeparam name="TIn">The operands' vector type.</typeparam>
/// <typeparam name="TAcc">The accumulator's vector type.</typeparam>
internal interface IMultiplyAdd<TIn, TAcc>
    where TIn : struct
    where TAcc : struct
{
    /// <summary>acc + a · b: fused where the hardware has FMA for floats (<see cref="ISimdOps{TVec}"/>); for int8,
    /// the exact sum of each lane's column pair (<see cref="IInt8DotOps{TI, TAcc}"/>).</summary>
    static abstract TAcc MultiplyAdd(TIn a, TIn b, TAcc acc);
}

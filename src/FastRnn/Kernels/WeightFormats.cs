using System.Runtime.CompilerServices;

namespace FastRnn.Kernels;

/// <summary>
/// How packed float weights are stored, as a type so the float matrix kernels compile once per
/// format: every column load widens the stored weights of a panel's vectors to float32. (int8 matrices have their own
/// integer kernel and pairwise layout: <see cref="Int8MatMul"/>.)
/// </summary>
internal interface IWeightFormat
{
    /// <summary>Bytes per stored weight.</summary>
    static abstract int ElementBytes { get; }

    /// <summary>
    /// Loads the <typeparamref name="TShape"/> vectors of one column of a panel as float32 (the
    /// vectors a shape does not have are left zero), in the layout this format packs them in.
    /// </summary>
    static abstract void LoadColumn<TOps, TVec, TShape>(ref byte column, out TVec w0, out TVec w1, out TVec w2, out TVec w3)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        where TShape : struct, ICount;
}

internal readonly struct Float32Weights : IWeightFormat
{
    public static int ElementBytes => sizeof(float);

    /// <summary>Vectors side by side: [vector][lane].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadColumn<TOps, TVec, TShape>(ref byte column, out TVec w0, out TVec w1, out TVec w2, out TVec w3)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        where TShape : struct, ICount
        => PanelRow.Load<TOps, TVec, TShape>(ref Unsafe.As<byte, float>(ref column), out w0, out w1, out w2, out w3);
}

internal readonly struct BFloat16Weights : IWeightFormat
{
    public static int ElementBytes => sizeof(ushort);

    /// <summary>
    /// Vectors 0 and 1 (and 2 and 3) interleaved lane by lane ([lane][2]; see PackedMatrix), a third
    /// vector without a partner on its own: widening one vector costs a load, a zero-extension and a
    /// shift, a pair one load and two integer operations, which on CPUs that split 512-bit work in
    /// halves (Zen 4) is what keeps bf16 from being bound by instructions rather than bytes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadColumn<TOps, TVec, TShape>(ref byte column, out TVec w0, out TVec w1, out TVec w2, out TVec w3)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        where TShape : struct, ICount
    {
        ref ushort c = ref Unsafe.As<byte, ushort>(ref column);
        int n = TOps.Count;
        w1 = TOps.Zero;
        w2 = TOps.Zero;
        w3 = TOps.Zero;
        if (TShape.Value > 1)
        {
            TOps.LoadBFloat16Pairs(ref c, out w0, out w1);
        }
        else
        {
            w0 = TOps.LoadBFloat16(ref c);
        }

        if (TShape.Value > 3)
        {
            TOps.LoadBFloat16Pairs(ref Unsafe.Add(ref c, 2 * n), out w2, out w3);
        }
        else if (TShape.Value > 2)
        {
            w2 = TOps.LoadBFloat16(ref Unsafe.Add(ref c, 2 * n));
        }
    }
}

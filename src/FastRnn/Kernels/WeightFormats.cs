using System.Runtime.CompilerServices;

namespace FastRnn.Kernels;

/// <summary>
/// How packed float weights are stored, as a type so the float matrix kernels compile once per
/// format: every load widens a vector of stored weights to float32. (int8 matrices have their own
/// integer kernel and pairwise layout: <see cref="Int8MatMul"/>.)
/// </summary>
internal interface IWeightFormat
{
    /// <summary>Bytes per stored weight.</summary>
    static abstract int ElementBytes { get; }

    /// <summary>Loads one vector of weights as float32.</summary>
    static abstract TVec Load<TOps, TVec>(ref byte source)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct;
}

internal readonly struct Float32Weights : IWeightFormat
{
    public static int ElementBytes => sizeof(float);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Load<TOps, TVec>(ref byte source)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        => TOps.Load(ref Unsafe.As<byte, float>(ref source));
}

internal readonly struct BFloat16Weights : IWeightFormat
{
    public static int ElementBytes => sizeof(ushort);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Load<TOps, TVec>(ref byte source)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        => TOps.LoadBFloat16(ref Unsafe.As<byte, ushort>(ref source));
}

using System.Runtime.CompilerServices;

namespace FastRnn.Kernels;

/// <summary>
/// How packed weights are stored, as a type so the matrix kernels compile once per format:
/// every load widens a vector of stored weights to float32; int8 rows carry a scale applied once
/// per output (accumulation stays in float32).
/// </summary>
internal interface IWeightFormat
{
    /// <summary>Bytes per stored weight.</summary>
    static abstract int ElementBytes { get; }

    /// <summary>Whether outputs are multiplied by a per-row scale.</summary>
    static abstract bool Scaled { get; }

    /// <summary>Loads one vector of weights as float32.</summary>
    static abstract TVec Load<TOps, TVec>(ref byte source)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct;
}

internal readonly struct Float32Weights : IWeightFormat
{
    public static int ElementBytes => sizeof(float);

    public static bool Scaled => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Load<TOps, TVec>(ref byte source)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        => TOps.Load(ref Unsafe.As<byte, float>(ref source));
}

internal readonly struct BFloat16Weights : IWeightFormat
{
    public static int ElementBytes => sizeof(ushort);

    public static bool Scaled => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Load<TOps, TVec>(ref byte source)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        => TOps.LoadBFloat16(ref Unsafe.As<byte, ushort>(ref source));
}

internal readonly struct Int8Weights : IWeightFormat
{
    public static int ElementBytes => sizeof(sbyte);

    public static bool Scaled => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Load<TOps, TVec>(ref byte source)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        => TOps.LoadInt8(ref Unsafe.As<byte, sbyte>(ref source));
}

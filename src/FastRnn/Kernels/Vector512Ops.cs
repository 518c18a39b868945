using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FastRnn.Kernels;

/// <summary>The 512-bit path (AVX-512): 16 floats per vector, 32 registers, so four batch rows stay in registers.</summary>
internal readonly struct Vector512Ops : ISimdOps<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;

    public static int BatchBlock => 4;

    public static Vector512<float> Zero => Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source) => Vector512.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, ref float destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreNonTemporal(Vector512<float> value, ref float destination) =>
        Vector512.StoreAlignedNonTemporal(value, (float*)Unsafe.AsPointer(ref destination));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LoadBFloat16(ref ushort source) =>
        Vector512.ShiftLeft(Vector512.WidenLower(Vector256.LoadUnsafe(ref source).ToVector512Unsafe()), 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadBFloat16Pairs(ref ushort source, out Vector512<float> first, out Vector512<float> second)
    {
        Vector512<uint> words = Vector512.LoadUnsafe(ref Unsafe.As<ushort, uint>(ref source));
        first = Vector512.ShiftLeft(words, 16).AsSingle();
        second = (words & Vector512.Create(0xFFFF0000u)).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadInt8Pairs(ref sbyte source, out Vector512<float> even, out Vector512<float> odd)
    {
        // Each int16 lane holds (odd << 8) | (byte)even; sign-extended to int32, the odd column is the
        // top 24 bits and the even one the sign-extended low byte.
        Vector512<int> pairs = Vector512.WidenLower(Vector256.LoadUnsafe(ref Unsafe.As<sbyte, short>(ref source)).ToVector512Unsafe());
        even = Vector512.ConvertToSingle(Vector512.ShiftRightArithmetic(Vector512.ShiftLeft(pairs, 24), 24));
        odd = Vector512.ConvertToSingle(Vector512.ShiftRightArithmetic(pairs, 8));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> left, Vector512<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Subtract(Vector512<float> left, Vector512<float> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> left, Vector512<float> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Divide(Vector512<float> left, Vector512<float> right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Abs(Vector512<float> value) => Vector512.Abs(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MinNative(Vector512<float> left, Vector512<float> right) => Vector512.MinNative(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MaxNative(Vector512<float> left, Vector512<float> right) => Vector512.MaxNative(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LessThan(Vector512<float> left, Vector512<float> right) => Vector512.LessThan(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> IsNaN(Vector512<float> value) => ~Vector512.Equals(value, value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Select(Vector512<float> mask, Vector512<float> ifTrue, Vector512<float> ifFalse) =>
        Vector512.ConditionalSelect(mask, ifTrue, ifFalse);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> CopySign(Vector512<float> magnitude, Vector512<float> sign) => Vector512.CopySign(magnitude, sign);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Pow2(Vector512<float> integral) => ScaleByPow2(Vector512<float>.One, integral);

    // vscalefps: one instruction where building 2^n takes three (convert, add, shift) and the
    // multiply a fourth; exact for the integral n in range that the callers pass.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ScaleByPow2(Vector512<float> value, Vector512<float> integral) =>
        Avx512F.IsSupported
            ? Avx512F.Scale(value, integral)
            : value * Vector512.ShiftLeft(Vector512.ConvertToInt32Native(integral) + Vector512.Create(127), 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Round(Vector512<float> value) => Vector512.Round(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MaxMagnitudeBits(Vector512<float> bits, Vector512<float> value) =>
        Vector512.Max(bits.AsInt32(), value.AsInt32() & Vector512.Create(0x7FFFFFFF)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MaxLaneBits(Vector512<float> bits)
    {
        Vector256<int> v = Vector256.Max(bits.AsInt32().GetLower(), bits.AsInt32().GetUpper());
        return Vector128Ops.MaxLaneBits(Vector128.Max(v.GetLower(), v.GetUpper()).AsSingle());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreInt16(Vector512<float> low, Vector512<float> high, ref short destination) =>
        Vector512.Narrow(Vector512.ConvertToInt32Native(low), Vector512.ConvertToInt32Native(high)).StoreUnsafe(ref destination);
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastRnn.Kernels;

/// <summary>The 256-bit path (AVX2 + FMA): 8 floats per vector.</summary>
internal readonly struct Vector256Ops : ISimdOps<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;

    public static int BatchBlock => 2;

    public static Vector256<float> Zero => Vector256<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source) => Vector256.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, ref float destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreNonTemporal(Vector256<float> value, ref float destination) =>
        Vector256.StoreAlignedNonTemporal(value, (float*)Unsafe.AsPointer(ref destination));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LoadBFloat16(ref ushort source) =>
        Vector256.ShiftLeft(Vector256.WidenLower(Vector128.LoadUnsafe(ref source).ToVector256Unsafe()), 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadBFloat16Pairs(ref ushort source, out Vector256<float> first, out Vector256<float> second)
    {
        Vector256<uint> words = Vector256.LoadUnsafe(ref Unsafe.As<ushort, uint>(ref source));
        first = Vector256.ShiftLeft(words, 16).AsSingle();
        second = (words & Vector256.Create(0xFFFF0000u)).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadInt8Pairs(ref sbyte source, out Vector256<float> even, out Vector256<float> odd)
    {
        // See Vector512Ops.LoadInt8Pairs.
        Vector256<int> pairs = Vector256.WidenLower(Vector128.LoadUnsafe(ref Unsafe.As<sbyte, short>(ref source)).ToVector256Unsafe());
        even = Vector256.ConvertToSingle(Vector256.ShiftRightArithmetic(Vector256.ShiftLeft(pairs, 24), 24));
        odd = Vector256.ConvertToSingle(Vector256.ShiftRightArithmetic(pairs, 8));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> left, Vector256<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Subtract(Vector256<float> left, Vector256<float> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> left, Vector256<float> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Divide(Vector256<float> left, Vector256<float> right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Abs(Vector256<float> value) => Vector256.Abs(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MinNative(Vector256<float> left, Vector256<float> right) => Vector256.MinNative(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MaxNative(Vector256<float> left, Vector256<float> right) => Vector256.MaxNative(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LessThan(Vector256<float> left, Vector256<float> right) => Vector256.LessThan(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> IsNaN(Vector256<float> value) => ~Vector256.Equals(value, value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Select(Vector256<float> mask, Vector256<float> ifTrue, Vector256<float> ifFalse) =>
        Vector256.ConditionalSelect(mask, ifTrue, ifFalse);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> CopySign(Vector256<float> magnitude, Vector256<float> sign) => Vector256.CopySign(magnitude, sign);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Pow2(Vector256<float> integral) =>
        Vector256.ShiftLeft(Vector256.ConvertToInt32Native(integral) + Vector256.Create(127), 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ScaleByPow2(Vector256<float> value, Vector256<float> integral) => value * Pow2(integral);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Round(Vector256<float> value) => Vector256.Round(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MaxMagnitudeBits(Vector256<float> bits, Vector256<float> value) =>
        Vector256.Max(bits.AsInt32(), value.AsInt32() & Vector256.Create(0x7FFFFFFF)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MaxLaneBits(Vector256<float> bits) =>
        Vector128Ops.MaxLaneBits(Vector128.Max(bits.AsInt32().GetLower(), bits.AsInt32().GetUpper()).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreInt16(Vector256<float> low, Vector256<float> high, ref short destination) =>
        Vector256.Narrow(Vector256.ConvertToInt32Native(low), Vector256.ConvertToInt32Native(high)).StoreUnsafe(ref destination);
}

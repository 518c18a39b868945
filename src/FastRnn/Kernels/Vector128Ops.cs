using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastRnn.Kernels;

/// <summary>The 128-bit path (SSE/AVX on x86, NEON on ARM64): 4 floats per vector.</summary>
internal readonly struct Vector128Ops : ISimdOps<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;

    public static int BatchBlock => 2;

    public static Vector128<float> Zero => Vector128<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Broadcast(float value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(ref float source) => Vector128.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<float> value, ref float destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreNonTemporal(Vector128<float> value, ref float destination) =>
        Vector128.StoreAlignedNonTemporal(value, (float*)Unsafe.AsPointer(ref destination));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LoadBFloat16(ref ushort source) =>
        Vector128.ShiftLeft(Vector128.WidenLower(Vector64.LoadUnsafe(ref source).ToVector128Unsafe()), 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadBFloat16Pairs(ref ushort source, out Vector128<float> first, out Vector128<float> second)
    {
        Vector128<uint> words = Vector128.LoadUnsafe(ref Unsafe.As<ushort, uint>(ref source));
        first = Vector128.ShiftLeft(words, 16).AsSingle();
        second = (words & Vector128.Create(0xFFFF0000u)).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadInt8Pairs(ref sbyte source, out Vector128<float> even, out Vector128<float> odd)
    {
        // See Vector512Ops.LoadInt8Pairs.
        Vector128<int> pairs = Vector128.WidenLower(Vector64.LoadUnsafe(ref Unsafe.As<sbyte, short>(ref source)).ToVector128Unsafe());
        even = Vector128.ConvertToSingle(Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(pairs, 24), 24));
        odd = Vector128.ConvertToSingle(Vector128.ShiftRightArithmetic(pairs, 8));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> left, Vector128<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Subtract(Vector128<float> left, Vector128<float> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Multiply(Vector128<float> left, Vector128<float> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Divide(Vector128<float> left, Vector128<float> right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Abs(Vector128<float> value) => Vector128.Abs(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MinNative(Vector128<float> left, Vector128<float> right) => Vector128.MinNative(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MaxNative(Vector128<float> left, Vector128<float> right) => Vector128.MaxNative(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LessThan(Vector128<float> left, Vector128<float> right) => Vector128.LessThan(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> IsNaN(Vector128<float> value) => ~Vector128.Equals(value, value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Select(Vector128<float> mask, Vector128<float> ifTrue, Vector128<float> ifFalse) =>
        Vector128.ConditionalSelect(mask, ifTrue, ifFalse);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> CopySign(Vector128<float> magnitude, Vector128<float> sign) => Vector128.CopySign(magnitude, sign);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Pow2(Vector128<float> integral) =>
        Vector128.ShiftLeft(Vector128.ConvertToInt32Native(integral) + Vector128.Create(127), 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ScaleByPow2(Vector128<float> value, Vector128<float> integral) => value * Pow2(integral);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Round(Vector128<float> value) => Vector128.Round(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MaxMagnitudeBits(Vector128<float> bits, Vector128<float> value) =>
        Vector128.Max(bits.AsInt32(), value.AsInt32() & Vector128.Create(0x7FFFFFFF)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MaxLaneBits(Vector128<float> bits)
    {
        Vector128<int> v = bits.AsInt32();
        return Math.Max(Math.Max(v.GetElement(0), v.GetElement(1)), Math.Max(v.GetElement(2), v.GetElement(3)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreInt16(Vector128<float> low, Vector128<float> high, ref short destination) =>
        Vector128.Narrow(Vector128.ConvertToInt32Native(low), Vector128.ConvertToInt32Native(high)).StoreUnsafe(ref destination);
}

using System;
using System.Runtime.CompilerServices;

namespace FastRnn.Kernels;

/// <summary>
/// The scalar path: one float per "vector". Masks are floats whose bits are all ones or all zeros,
/// so kernels written against <see cref="ISimdOps{TVec}"/> run unchanged.
/// </summary>
internal readonly struct ScalarOps : ISimdOps<float>
{
    private static readonly float AllOnes = BitConverter.Int32BitsToSingle(-1);

    public static int Count => 1;

    public static int BatchBlock => 2;

    public static float Zero => 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Broadcast(float value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(ref float source) => source;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float value, ref float destination) => destination = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreNonTemporal(float value, ref float destination) => destination = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LoadBFloat16(ref ushort source) => BitConverter.Int32BitsToSingle(source << 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadBFloat16Pairs(ref ushort source, out float first, out float second)
    {
        first = BitConverter.Int32BitsToSingle(source << 16);
        second = BitConverter.Int32BitsToSingle(Unsafe.Add(ref source, 1) << 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadInt8Pairs(ref sbyte source, out float even, out float odd)
    {
        even = source;
        odd = Unsafe.Add(ref source, 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Add(float left, float right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Subtract(float left, float right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Multiply(float left, float right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Divide(float left, float right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MultiplyAdd(float a, float b, float c) => float.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Abs(float value) => MathF.Abs(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MinNative(float left, float right) => left < right ? left : right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxNative(float left, float right) => left > right ? left : right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LessThan(float left, float right) => left < right ? AllOnes : 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float IsNaN(float value) => float.IsNaN(value) ? AllOnes : 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Select(float mask, float ifTrue, float ifFalse) =>
        BitConverter.SingleToInt32Bits(mask) != 0 ? ifTrue : ifFalse;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float CopySign(float magnitude, float sign) => MathF.CopySign(magnitude, sign);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Pow2(float integral) => BitConverter.Int32BitsToSingle(((int)integral + 127) << 23);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ScaleByPow2(float value, float integral) => value * Pow2(integral);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Round(float value) => MathF.Round(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxMagnitudeBits(float bits, float value) =>
        BitConverter.Int32BitsToSingle(Math.Max(BitConverter.SingleToInt32Bits(bits), BitConverter.SingleToInt32Bits(value) & 0x7FFFFFFF));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MaxLaneBits(float bits) => BitConverter.SingleToInt32Bits(bits);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreInt16(float low, float high, ref short destination)
    {
        destination = (short)low;
        Unsafe.Add(ref destination, 1) = (short)high;
    }
}

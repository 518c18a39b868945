using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastRnn.Kernels;

/// <summary>
/// Symmetric per-row int16 quantization of the activations an int8 matrix multiplies:
/// s = max |x| / 32767, q = round(x · (32767 / max |x|)) (ties to even) clamped to [-32767, 32767].
/// Each vector width has its own loop, and every one computes exactly these float operations, so a
/// row quantizes to the same integers on every path.
/// </summary>
/// <remarks>
/// The largest magnitude is found as an integer maximum over the bits of |x| (for non-negative
/// floats, integer order is float order, and NaN and ±Inf have the largest bit patterns), which is
/// exact, needs no NaN handling and tells in the same pass whether the row is finite.
/// </remarks>
internal static class Int16Rows
{
    /// <summary>The largest quantized magnitude (±32767, symmetric: -32768 is never produced).</summary>
    public const float Levels = 32767f;

    /// <summary>Bits of |x| from which a value is not finite (+Inf; NaN is above it).</summary>
    public const int NonFiniteBits = 0x7F800000;

    /// <summary>The smallest normal float, 2^-126.</summary>
    public const float MinNormal = 1.17549435e-38f;

    private const int MagnitudeMask = 0x7FFFFFFF;

    /// <summary>
    /// Whether a row whose largest magnitude has bits <paramref name="maxBits"/> is quantized for a
    /// matrix whose non-zero row scales lie in [<paramref name="minWeightScale"/>, <paramref name="maxWeightScale"/>]
    /// (both 0 for an all-zero matrix), and its scale and inverse if so.
    /// A row of zeros always is. Otherwise its scale s and every product s · s_w must be normal floats:
    /// a subnormal product would lose the precision of the whole chunk, an overflowing one would turn a
    /// zero integer sum into 0 · ∞ = NaN. Rows with NaN or ±Inf, and rows too tiny or too large for the
    /// matrix's scales, take the float path instead.
    /// </summary>
    public static bool TryScale(int maxBits, float minWeightScale, float maxWeightScale, out float scale, out float inverse)
    {
        if (maxBits == 0)
        {
            scale = 0f;
            inverse = 0f;
            return true;
        }

        float max = BitConverter.Int32BitsToSingle(maxBits);
        scale = max / Levels;
        inverse = Levels / max;
        return maxBits < NonFiniteBits
            && scale >= MinNormal
            && float.IsFinite(inverse)
            && (minWeightScale == 0f || scale * minWeightScale >= MinNormal)
            && float.IsFinite(scale * maxWeightScale);
    }

    /// <summary>One value: round(x · inverse), ties to even, clamped to ±32767.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short QuantizeOne(float x, float inverse) => (short)Math.Clamp(MathF.Round(x * inverse), -Levels, Levels);

    /// <summary>Scalar: the bits of max |x| over <paramref name="length"/> values.</summary>
    public static int MaxAbsBitsScalar(ref float x, int length)
    {
        int max = 0;
        for (int i = 0; i < length; i++)
        {
            max = Math.Max(max, BitConverter.SingleToInt32Bits(Unsafe.Add(ref x, i)) & MagnitudeMask);
        }

        return max;
    }

    /// <summary>Scalar: quantizes <paramref name="length"/> values (all finite) into <paramref name="q"/>.</summary>
    public static void QuantizeScalar(ref float x, int length, float inverse, ref short q)
    {
        for (int i = 0; i < length; i++)
        {
            Unsafe.Add(ref q, i) = QuantizeOne(Unsafe.Add(ref x, i), inverse);
        }
    }

    public static int MaxAbsBits512(ref float x, int length)
    {
        int n = Vector512<int>.Count;
        int i = 0;
        Vector512<int> max = Vector512<int>.Zero;
        Vector512<int> mask = Vector512.Create(MagnitudeMask);
        for (; i + n <= length; i += n)
        {
            max = Vector512.Max(max, Vector512.LoadUnsafe(ref Unsafe.Add(ref x, i)).AsInt32() & mask);
        }

        return Math.Max(Reduce(Vector256.Max(max.GetLower(), max.GetUpper())), MaxAbsBitsScalar(ref Unsafe.Add(ref x, i), length - i));
    }

    public static int MaxAbsBits256(ref float x, int length)
    {
        int n = Vector256<int>.Count;
        int i = 0;
        Vector256<int> max = Vector256<int>.Zero;
        Vector256<int> mask = Vector256.Create(MagnitudeMask);
        for (; i + n <= length; i += n)
        {
            max = Vector256.Max(max, Vector256.LoadUnsafe(ref Unsafe.Add(ref x, i)).AsInt32() & mask);
        }

        return Math.Max(Reduce(max), MaxAbsBitsScalar(ref Unsafe.Add(ref x, i), length - i));
    }

    public static int MaxAbsBits128(ref float x, int length)
    {
        int n = Vector128<int>.Count;
        int i = 0;
        Vector128<int> max = Vector128<int>.Zero;
        Vector128<int> mask = Vector128.Create(MagnitudeMask);
        for (; i + n <= length; i += n)
        {
            max = Vector128.Max(max, Vector128.LoadUnsafe(ref Unsafe.Add(ref x, i)).AsInt32() & mask);
        }

        return Math.Max(Reduce(max), MaxAbsBitsScalar(ref Unsafe.Add(ref x, i), length - i));
    }

    // Two float vectors per trip, narrowed into one int16 vector; the rest one value at a time.
    public static void Quantize512(ref float x, int length, float inverse, ref short q)
    {
        int n = Vector512<float>.Count;
        int i = 0;
        Vector512<float> scale = Vector512.Create(inverse);
        for (; i + (2 * n) <= length; i += 2 * n)
        {
            Vector512<int> low = Quantize(Vector512.LoadUnsafe(ref Unsafe.Add(ref x, i)) * scale);
            Vector512<int> high = Quantize(Vector512.LoadUnsafe(ref Unsafe.Add(ref x, i + n)) * scale);
            Vector512.Narrow(low, high).StoreUnsafe(ref Unsafe.Add(ref q, i));
        }

        QuantizeScalar(ref Unsafe.Add(ref x, i), length - i, inverse, ref Unsafe.Add(ref q, i));
    }

    public static void Quantize256(ref float x, int length, float inverse, ref short q)
    {
        int n = Vector256<float>.Count;
        int i = 0;
        Vector256<float> scale = Vector256.Create(inverse);
        for (; i + (2 * n) <= length; i += 2 * n)
        {
            Vector256<int> low = Quantize(Vector256.LoadUnsafe(ref Unsafe.Add(ref x, i)) * scale);
            Vector256<int> high = Quantize(Vector256.LoadUnsafe(ref Unsafe.Add(ref x, i + n)) * scale);
            Vector256.Narrow(low, high).StoreUnsafe(ref Unsafe.Add(ref q, i));
        }

        QuantizeScalar(ref Unsafe.Add(ref x, i), length - i, inverse, ref Unsafe.Add(ref q, i));
    }

    public static void Quantize128(ref float x, int length, float inverse, ref short q)
    {
        int n = Vector128<float>.Count;
        int i = 0;
        Vector128<float> scale = Vector128.Create(inverse);
        for (; i + (2 * n) <= length; i += 2 * n)
        {
            Vector128<int> low = Quantize(Vector128.LoadUnsafe(ref Unsafe.Add(ref x, i)) * scale);
            Vector128<int> high = Quantize(Vector128.LoadUnsafe(ref Unsafe.Add(ref x, i + n)) * scale);
            Vector128.Narrow(low, high).StoreUnsafe(ref Unsafe.Add(ref q, i));
        }

        QuantizeScalar(ref Unsafe.Add(ref x, i), length - i, inverse, ref Unsafe.Add(ref q, i));
    }

    // round (ties to even) then clamp: both exact on integral values, so the order does not matter;
    // the native conversion is exact for the integral, in-range values left.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Quantize(Vector512<float> scaled) =>
        Vector512.ConvertToInt32Native(Vector512.MinNative(Vector512.MaxNative(Vector512.Round(scaled), Vector512.Create(-Levels)), Vector512.Create(Levels)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Quantize(Vector256<float> scaled) =>
        Vector256.ConvertToInt32Native(Vector256.MinNative(Vector256.MaxNative(Vector256.Round(scaled), Vector256.Create(-Levels)), Vector256.Create(Levels)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Quantize(Vector128<float> scaled) =>
        Vector128.ConvertToInt32Native(Vector128.MinNative(Vector128.MaxNative(Vector128.Round(scaled), Vector128.Create(-Levels)), Vector128.Create(Levels)));

    private static int Reduce(Vector256<int> max) => Reduce(Vector128.Max(max.GetLower(), max.GetUpper()));

    private static int Reduce(Vector128<int> max) =>
        Math.Max(Math.Max(max.GetElement(0), max.GetElement(1)), Math.Max(max.GetElement(2), max.GetElement(3)));
}

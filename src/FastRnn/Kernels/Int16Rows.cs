using System;
using System.Runtime.CompilerServices;

namespace FastRnn.Kernels;

/// <summary>
/// Symmetric per-row int16 quantization of the activations an int8 matrix multiplies:
/// s = max |x| / 32767, q = round(x · (32767 / max |x|)) (ties to even) clamped to [-32767, 32767].
/// Written once over <see cref="ISimdOps{TVec}"/>: every path computes exactly these float operations
/// (and its tail the scalar ones), so a row quantizes to the same integers on every path.
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

    /// <summary>The bits of max |x| over <paramref name="length"/> values, on the path TOps.</summary>
    public static int MaxAbsBits<TOps, TVec>(ref float x, int length)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int n = TOps.Count;
        int i = 0;
        TVec max = TOps.Zero;
        for (; i + n <= length; i += n)
        {
            max = TOps.MaxMagnitudeBits(max, TOps.Load(ref Unsafe.Add(ref x, i)));
        }

        return Math.Max(TOps.MaxLaneBits(max), MaxAbsBitsScalar(ref Unsafe.Add(ref x, i), length - i));
    }

    /// <summary>
    /// Quantizes <paramref name="length"/> values (all finite) into <paramref name="q"/> on the path TOps:
    /// two vectors per trip, narrowed into one of int16; the rest one value at a time.
    /// </summary>
    public static void Quantize<TOps, TVec>(ref float x, int length, float inverse, ref short q)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int n = TOps.Count;
        int i = 0;
        TVec scale = TOps.Broadcast(inverse);
        TVec low = TOps.Broadcast(-Levels);
        TVec high = TOps.Broadcast(Levels);
        for (; i + (2 * n) <= length; i += 2 * n)
        {
            TVec first = Bounded<TOps, TVec>(TOps.Multiply(TOps.Load(ref Unsafe.Add(ref x, i)), scale), low, high);
            TVec second = Bounded<TOps, TVec>(TOps.Multiply(TOps.Load(ref Unsafe.Add(ref x, i + n)), scale), low, high);
            TOps.StoreInt16(first, second, ref Unsafe.Add(ref q, i));
        }

        QuantizeScalar(ref Unsafe.Add(ref x, i), length - i, inverse, ref Unsafe.Add(ref q, i));
    }

    // round (ties to even) then clamp: both exact on integral values, so the order does not matter;
    // the native conversion of StoreInt16 is exact for the integral, in-range values left.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Bounded<TOps, TVec>(TVec scaled, TVec low, TVec high)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        => TOps.MinNative(TOps.MaxNative(TOps.Round(scaled), low), high);

    private static int MaxAbsBitsScalar(ref float x, int length)
    {
        int max = 0;
        for (int i = 0; i < length; i++)
        {
            max = Math.Max(max, BitConverter.SingleToInt32Bits(Unsafe.Add(ref x, i)) & MagnitudeMask);
        }

        return max;
    }

    private static void QuantizeScalar(ref float x, int length, float inverse, ref short q)
    {
        for (int i = 0; i < length; i++)
        {
            Unsafe.Add(ref q, i) = QuantizeOne(Unsafe.Add(ref x, i), inverse);
        }
    }
}

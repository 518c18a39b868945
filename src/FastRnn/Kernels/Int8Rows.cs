using System;

namespace FastRnn.Kernels;

/// <summary>Symmetric per-row int8 quantization: scale = max |w| / 127, q = round(w / scale) in [-127, 127].</summary>
internal static class Int8Rows
{
    /// <summary>
    /// Quantizes one row and returns its scale (0 for an all-zero row). Two ends of float32's range
    /// are kept in range: where 127 · scale would round to infinity (max |w| next to float.MaxValue) the
    /// scale is one ulp lower, so q · scale, what a saved file reads back as, stays finite; and where
    /// 1 / scale overflows (max |w| below about 3.7e-37) w / scale is divided in double precision.
    /// </summary>
    public static float Quantize(ReadOnlySpan<float> row, Span<sbyte> quantized)
    {
        float max = 0f;
        foreach (float v in row)
        {
            max = MathF.Max(max, MathF.Abs(v));
        }

        float scale = max / 127f;
        if (float.IsInfinity(scale * 127f))
        {
            scale = MathF.BitDecrement(scale);
        }

        float inverse = scale > 0f ? 1f / scale : 0f;
        if (float.IsInfinity(inverse))
        {
            for (int i = 0; i < row.Length; i++)
            {
                quantized[i] = (sbyte)Math.Clamp(Math.Round(row[i] / (double)scale), -127.0, 127.0);
            }

            return scale;
        }

        for (int i = 0; i < row.Length; i++)
        {
            quantized[i] = (sbyte)Math.Clamp(MathF.Round(row[i] * inverse), -127f, 127f);
        }

        return scale;
    }
}

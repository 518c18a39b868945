using System;

namespace FastRnn.Kernels;

/// <summary>Symmetric per-row int8 quantization: scale = max |w| / 127, q = round(w / scale) in [-127, 127].</summary>
internal static class Int8Rows
{
    /// <summary>Quantizes one row and returns its scale (0 for an all-zero row).</summary>
    public static float Quantize(ReadOnlySpan<float> row, Span<sbyte> quantized)
    {
        float max = 0f;
        foreach (float v in row)
        {
            max = MathF.Max(max, MathF.Abs(v));
        }

        float scale = max / 127f;
        float inverse = scale > 0f ? 1f / scale : 0f;
        for (int i = 0; i < row.Length; i++)
        {
            quantized[i] = (sbyte)Math.Clamp(MathF.Round(row[i] * inverse), -127f, 127f);
        }

        return scale;
    }
}

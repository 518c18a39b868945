using System;

namespace FastRnn.Benchmarks.Kernels;

/// <summary>Deterministic inputs for kernel benchmarks (values in [-scale, scale], never subnormal).</summary>
internal static class KernelData
{
    public static float[] Uniform(int length, float scale, int seed)
    {
        var random = new Random(seed);
        float[] values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2.0) - 1.0) * scale;
        }

        return values;
    }
}

using System;

namespace FastRnn.Diagnostics;

/// <summary>Reproducible pseudo-random test data (the same on every machine for a given seed).</summary>
internal sealed class SeededValues(int seed)
{
    private readonly Random random = new(seed);

    /// <summary>A uniform value in [low, high).</summary>
    public float Next(float low, float high) => (float)(low + (random.NextDouble() * (high - low)));

    /// <summary>An array of uniform values in [low, high).</summary>
    public float[] Array(int count, float low, float high)
    {
        float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = Next(low, high);
        }

        return values;
    }
}

using System;

namespace FastRnn.Tests.Kernels;

/// <summary>Sizes on both sides of every vector width, and primes; values that stress kernels.</summary>
internal static class TestSizes
{
    public static readonly int[] Lengths =
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
        31, 32, 33, 37, 53, 63, 64, 65, 97, 127, 128, 129, 131,
    ];

    public static int Pick(int selector, int minimum = 0)
    {
        int size = Lengths[(int)((uint)selector % (uint)Lengths.Length)];
        return Math.Max(size, minimum);
    }

    /// <summary>Mostly ordinary values, with zeros, tiny (including subnormal) and huge ones mixed in.</summary>
    public static float Value(Random random, bool allowHuge)
    {
        int kind = random.Next(20);
        float sign = random.Next(2) == 0 ? -1f : 1f;
        return kind switch
        {
            0 => 0f,
            1 => sign * 1e-40f,
            2 => sign * 1e-20f,
            3 when allowHuge => sign * 1e30f,
            4 when allowHuge => sign * float.MaxValue,
            5 => sign * (float)(random.NextDouble() * 30.0),
            _ => (float)((random.NextDouble() * 2.0) - 1.0) * 4f,
        };
    }
}

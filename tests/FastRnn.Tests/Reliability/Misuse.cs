using System;
using Xunit;

namespace FastRnn.Tests.Reliability;

/// <summary>Asserts that a call is refused with the right exception and a message naming the expected and actual values.</summary>
internal static class Misuse
{
    public static void Refused<TException>(Action call, params string[] messageParts)
        where TException : Exception
    {
        TException e = Assert.ThrowsAny<TException>(call);
        foreach (string part in messageParts)
        {
            Assert.Contains(part, e.Message, StringComparison.Ordinal);
        }
    }

    public static void Refused(Action call, params string[] messageParts) => Refused<ArgumentException>(call, messageParts);

    /// <summary>A value no computation here produces, so an output still holding it was not written.</summary>
    public const float Sentinel = -12345.25f;

    public static float[] Sentinels(int length)
    {
        float[] values = new float[length];
        Array.Fill(values, Sentinel);
        return values;
    }

    /// <summary>Every element still holds <see cref="Sentinel"/>: the refused calls wrote nothing.</summary>
    public static void Untouched(params float[][] outputs)
    {
        foreach (float[] output in outputs)
        {
            int written = Array.FindIndex(output, v => BitConverter.SingleToInt32Bits(v) != BitConverter.SingleToInt32Bits(Sentinel));
            Assert.True(written < 0, $"a refused call wrote {(written < 0 ? 0 : output[written])} at index {written} of an output of {output.Length} floats");
        }
    }
}

using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace FastRnn.Memory;

/// <summary>
/// Refuses arguments that share memory where a call writes one while it still reads or writes the
/// other. The checks allocate nothing; the message is built only when a check fails.
/// </summary>
internal static class OverlapCheck
{
    /// <summary>Throws when <paramref name="first"/> and <paramref name="second"/> share any element (empty spans never do).</summary>
    /// <param name="first">A span the call writes or reads.</param>
    /// <param name="firstName">Its parameter name, for the message.</param>
    /// <param name="second">Another span the call writes or reads.</param>
    /// <param name="secondName">Its parameter name, for the message.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Disjoint(ReadOnlySpan<float> first, string firstName, ReadOnlySpan<float> second, string secondName)
    {
        if (first.Overlaps(second, out int offset))
        {
            Throw(first.Length, firstName, second.Length, secondName, offset);
        }
    }

    /// <summary>
    /// Like <see cref="Disjoint"/>, but lets the two be exactly the same memory: an input that is only
    /// read per slot before the same slot of the output is written (in-place state updates).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void DisjointOrSame(ReadOnlySpan<float> input, string inputName, ReadOnlySpan<float> output, string outputName)
    {
        if (input.Overlaps(output, out int offset) && input != output)
        {
            Throw(input.Length, inputName, output.Length, outputName, offset);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(int firstLength, string firstName, int secondLength, string secondName, int offset) =>
        throw new ArgumentException(
            $"{firstName} ({firstLength} floats) and {secondName} ({secondLength} floats) overlap (the second starts {offset} floats after the first); " +
            $"pass spans over separate memory.",
            secondName);
}

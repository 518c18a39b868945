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

    /// <summary>
    /// The rules of a call that writes a sequence and two final states layer by layer while it still reads two
    /// states given to it (forward: output, h_n and c_n from h_0 and c_0; backward: the gradients of the input,
    /// h_0 and c_0 from those of h_n and c_n): the three it writes share no memory, and a state it reads shares
    /// none with them, except that it may be exactly its own counterpart (each slot is read before the same slot
    /// is written). The sequence it reads is copied before anything is written, so it may share memory with anything.
    /// </summary>
    /// <param name="sequence">The sequence written (output, or the input gradient).</param>
    /// <param name="hiddenOut">The hidden state written.</param>
    /// <param name="cellOut">The cell state written.</param>
    /// <param name="hiddenIn">The hidden state read, which may be <paramref name="hiddenOut"/> itself.</param>
    /// <param name="cellIn">The cell state read, which may be <paramref name="cellOut"/> itself.</param>
    /// <param name="names">Their parameter names, for the message, in the same order.</param>
    public static void StatesReadWhileWritten(
        ReadOnlySpan<float> sequence, ReadOnlySpan<float> hiddenOut, ReadOnlySpan<float> cellOut, ReadOnlySpan<float> hiddenIn,
        ReadOnlySpan<float> cellIn, (string Sequence, string HiddenOut, string CellOut, string HiddenIn, string CellIn) names)
    {
        Disjoint(sequence, names.Sequence, hiddenOut, names.HiddenOut);
        Disjoint(sequence, names.Sequence, cellOut, names.CellOut);
        Disjoint(hiddenOut, names.HiddenOut, cellOut, names.CellOut);
        Disjoint(hiddenIn, names.HiddenIn, sequence, names.Sequence);
        Disjoint(cellIn, names.CellIn, sequence, names.Sequence);
        DisjointOrSame(hiddenIn, names.HiddenIn, hiddenOut, names.HiddenOut);
        Disjoint(hiddenIn, names.HiddenIn, cellOut, names.CellOut);
        Disjoint(cellIn, names.CellIn, hiddenOut, names.HiddenOut);
        DisjointOrSame(cellIn, names.CellIn, cellOut, names.CellOut);
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(int firstLength, string firstName, int secondLength, string secondName, int offset) =>
        throw new ArgumentException(
            $"{firstName} ({firstLength} floats) and {secondName} ({secondLength} floats) overlap (the second starts {Math.Abs(offset)} floats {(offset >= 0 ? "after" : "before")} the first); " +
            $"pass spans over separate memory.",
            secondName);
}

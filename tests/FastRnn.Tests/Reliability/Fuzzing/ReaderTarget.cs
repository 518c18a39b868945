using System;

namespace FastRnn.Tests.Reliability.Fuzzing;

/// <summary>
/// One of the project's file readers under fuzzing: valid seed files to mutate, the load being
/// measured (time and allocation), and a check that an accepted file was read correctly.
/// </summary>
internal abstract class ReaderTarget
{
    /// <summary>Readers may allocate at most this many times the file's size...</summary>
    public const long AllocationPerFileByte = 8;

    /// <summary>...plus this much (parser state, small dictionaries, an exception and its message).</summary>
    public const long AllocationConstant = 256 * 1024;

    public abstract string Name { get; }

    /// <summary>Valid files of this reader's kind, the starting points of mutation.</summary>
    public abstract byte[][] Seeds { get; }

    /// <summary>Prepares what <see cref="Load"/> reads (e.g. writes the bytes to a file); not measured.</summary>
    public virtual void Prepare(byte[] bytes)
    {
    }

    /// <summary>Reads the bytes; throws <see cref="FastRnnFormatException"/> to reject them. Measured.</summary>
    public abstract object Load(byte[] bytes);

    /// <summary>Asserts that an accepted file was read correctly (throws an assertion failure otherwise).</summary>
    public abstract void VerifyAccepted(byte[] bytes, object loaded);

    /// <summary>Asserts what must hold after a rejection (e.g. nothing was changed).</summary>
    public virtual void VerifyRejected()
    {
    }

    /// <summary>The largest allocation allowed for a file of <paramref name="length"/> bytes.</summary>
    public static long AllocationBound(long length) => (AllocationPerFileByte * length) + AllocationConstant;

    public override string ToString() => Name;
}

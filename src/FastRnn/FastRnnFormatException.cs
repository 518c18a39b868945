using System;

namespace FastRnn;

/// <summary>
/// Thrown when a file or buffer handed to FastRnn is malformed or does not hold what the caller
/// asked for (for example a missing tensor or a tensor of the wrong element type).
/// </summary>
/// <remarks>
/// Messages name the file when it is known, the offending tensor or header field, and the
/// expected and actual values, so that a bad file can be diagnosed from the message alone.
/// </remarks>
public class FastRnnFormatException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public FastRnnFormatException()
        : base("The data is not in the expected format.")
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">What is wrong, naming the file, field and expected vs actual values.</param>
    public FastRnnFormatException(string? message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message, wrapping the lower-level failure that revealed it.</summary>
    /// <param name="message">What is wrong, naming the file, field and expected vs actual values.</param>
    /// <param name="innerException">The lower-level exception (for example a JSON syntax error).</param>
    public FastRnnFormatException(string? message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

using System;

namespace FastRnn.Server;

/// <summary>
/// A command-line option of the service is unknown, missing or out of range, or the model it names
/// cannot be served; the message says which and what was expected. The command prints it and exits
/// with code 2.
/// </summary>
public sealed class ServerOptionsException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public ServerOptionsException()
        : base("The service's options are invalid.")
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">Which option, what it was and what was expected.</param>
    public ServerOptionsException(string? message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and inner exception.</summary>
    /// <param name="message">Which option, what it was and what was expected.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public ServerOptionsException(string? message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

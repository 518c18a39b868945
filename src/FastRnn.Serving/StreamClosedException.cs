using System;

namespace FastRnn.Serving;

/// <summary>
/// Thrown by a call on a handle whose stream is no longer open: it was closed, its slot has since
/// been reused by another stream, or the batcher freed it after an idle timeout
/// (<see cref="StreamExpiredException"/>). The stream's state is gone; open a new stream, or import
/// a state exported before.
/// </summary>
public class StreamClosedException : InvalidOperationException
{
    /// <summary>Creates an exception with a generic message.</summary>
    public StreamClosedException()
        : base("The stream is no longer open.")
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">Which stream, and why it is no longer open.</param>
    public StreamClosedException(string? message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and inner exception.</summary>
    /// <param name="message">Which stream, and why it is no longer open.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public StreamClosedException(string? message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a handle.</summary>
    /// <param name="message">Which stream, and why it is no longer open.</param>
    /// <param name="handle">The handle of the call.</param>
    public StreamClosedException(string? message, StreamHandle handle)
        : base(message)
    {
        Handle = handle;
    }

    /// <summary>The handle the failed call named.</summary>
    public StreamHandle Handle { get; }
}

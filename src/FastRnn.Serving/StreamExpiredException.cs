using System;

namespace FastRnn.Serving;

/// <summary>
/// Thrown by the first call on a handle whose stream the batcher freed because no call named it for
/// longer than <see cref="StreamBatcherOptions.IdleTimeout"/>. The stream's state is gone; open a
/// new stream, or import a state exported before.
/// </summary>
public sealed class StreamExpiredException : StreamClosedException
{
    /// <summary>Creates an exception with a generic message.</summary>
    public StreamExpiredException()
        : base("The stream was freed after being idle for longer than the idle timeout.")
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">Which stream, and how long it was idle.</param>
    public StreamExpiredException(string? message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and inner exception.</summary>
    /// <param name="message">Which stream, and how long it was idle.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public StreamExpiredException(string? message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a handle.</summary>
    /// <param name="message">Which stream, and how long it was idle.</param>
    /// <param name="handle">The handle of the call.</param>
    public StreamExpiredException(string? message, StreamHandle handle)
        : base(message, handle)
    {
    }
}

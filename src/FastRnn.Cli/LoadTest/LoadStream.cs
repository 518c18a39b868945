using System;
using System.Threading;
using System.Threading.Tasks;

namespace FastRnn.Cli.LoadTest;

/// <summary>
/// One stream under load, over a WebSocket or straight into a batcher. One sender and one receiver
/// use it at once; answers come in the order of the frames.
/// </summary>
internal abstract class LoadStream : IAsyncDisposable
{
    /// <summary>Floats per frame.</summary>
    public abstract int InputSize { get; }

    /// <summary>
    /// What ended the stream, once it has ended: a WebSocket close status ("1000", "1013", ...) or
    /// "connect_failed", "aborted", "protocol_error", "failed"; null while open, or when it ended
    /// without anything to report (an in-process stream closed by the test).
    /// </summary>
    public string? EndKey { get; protected set; }

    /// <summary>The words that came with <see cref="EndKey"/> (a close reason, an error message), or null.</summary>
    public string? EndReason { get; protected set; }

    /// <summary>Whether the stream ended before the test closed it (the peer closed it, or it failed).</summary>
    public bool EndedEarly { get; protected set; }

    /// <summary>
    /// Hands over frame <paramref name="sequence"/>; the frame's memory stays untouched until its
    /// answer has been received. Whatever must be in place before the receiver asks for the answer is
    /// done before this returns its task; the task completes when the frame is sent.
    /// </summary>
    public abstract ValueTask SendAsync(int sequence, ReadOnlyMemory<float> frame, CancellationToken cancellationToken);

    /// <summary>Waits for the answer to frame <paramref name="sequence"/>; false when the stream ended first (<see cref="EndKey"/> says how).</summary>
    public abstract ValueTask<bool> ReceiveAsync(int sequence, CancellationToken cancellationToken);

    /// <summary>Ends the stream after its last answer, as a client that is done.</summary>
    public abstract ValueTask CloseAsync(CancellationToken cancellationToken);

    /// <inheritdoc/>
    public abstract ValueTask DisposeAsync();

    /// <summary>Marks the stream ended early by <paramref name="key"/> unless it already ended.</summary>
    public void EndEarly(string key, string? reason)
    {
        if (EndKey is null)
        {
            EndKey = key;
            EndReason = reason;
            EndedEarly = true;
        }
    }
}

using System;
using System.Diagnostics;
using System.IO;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.Serving;
using Microsoft.Extensions.Logging;

namespace FastRnn.Server;

/// <summary>
/// What every client connection of the service shares, whatever its messages carry: the receive loop
/// (one message at a time, in order: a client that stops reading blocks only its own sends, and TCP
/// pushes back on its receives, so nothing queues without bound), the one send at a time a WebSocket
/// allows, and the ways a connection ends (rejected, idle, shutdown, the client's close). A subclass
/// answers one whole message; its buffers are made once per connection (or grown once for a longer
/// message), so a message allocates nothing of ours once warm.
/// </summary>
/// <remarks>
/// Only the receive loop receives. Sends (answers, and the close frame that shutdown sends while the
/// loop waits in a receive) take <see cref="sendLock"/>. After a close frame went out the loop only
/// drains until the client's close; a timer aborts the socket if that does not come within
/// <see cref="CloseGrace"/>. Shutdown waits for a message being answered before it sends its close
/// (at most <see cref="CloseGrace"/>, so a client that does not read holds nothing up): the steps in
/// flight end with their answers delivered.
/// </remarks>
internal abstract class WebSocketConnection : IDisposable
{
    protected static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    // An over-long message is counted for the error's "got M bytes" up to here, not for ever: past it
    // the close goes out and the drain (bounded by CloseGrace) takes what is left.
    private const long CountLimit = 1 << 20;

    private readonly WebSocket socket;
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private byte[] received;            // [up to MaxMessageBytes] one message as it arrives
    private byte[]? overflow;           // where the rest of an over-long message goes to be counted, made on first use
    private Timer? abortTimer;
    private long lastMessageAt = Stopwatch.GetTimestamp(); // when the client last sent a whole message (or connected)
    private int closeSent;
    private int answering;              // 1 from a whole message's arrival until its answer went out (or failed)
    private int shutdownRequested;      // 1 once shutdown asked for the 1001, which waits for the answer in flight
    private string? endReason;

    protected WebSocketConnection(long id, WebSocket socket, StreamBatcher batcher, ILogger logger, int firstMessageBytes)
    {
        Id = id;
        this.socket = socket;
        Batcher = batcher;
        Logger = logger;
        received = new byte[firstMessageBytes];
    }

    public long Id { get; }

    /// <summary>Frames answered.</summary>
    public long Frames { get; protected set; }

    /// <summary>Why the server closed the connection (rejected, expired, shutdown), or null if it did not.</summary>
    public string? EndReason => Volatile.Read(ref endReason);

    protected StreamBatcher Batcher { get; }

    protected ILogger Logger { get; }

    /// <summary>The longest message the protocol allows; the receive buffer grows to it when a longer one than before arrives.</summary>
    protected abstract int MaxMessageBytes { get; }

    /// <summary>Sends the hello, then answers messages until the close handshake ends; returns why the connection ended.</summary>
    /// <exception cref="WebSocketException">The client vanished (or the socket was aborted after a close without reply).</exception>
    /// <exception cref="OperationCanceledException">The request was aborted.</exception>
    public async Task<string> RunAsync(byte[] hello, CancellationToken aborted)
    {
        await SendAsync(hello, WebSocketMessageType.Text, aborted);
        while (true)
        {
            int length = 0;
            long extra = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (length == received.Length && length < MaxMessageBytes)
                {
                    Array.Resize(ref received, (int)Math.Min(MaxMessageBytes, 2L * length));
                }

                Memory<byte> room = length < received.Length ? received.AsMemory(length) : (overflow ??= new byte[4096]);
                result = await socket.ReceiveAsync(room, aborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return await OnCloseReceivedAsync();
                }

                if (length < received.Length)
                {
                    length += result.Count;
                }
                else
                {
                    extra += result.Count;
                }
            }
            while (!result.EndOfMessage && extra <= CountLimit);

            Volatile.Write(ref lastMessageAt, Stopwatch.GetTimestamp());

            if (Volatile.Read(ref closeSent) != 0)
            {
                continue; // the server has closed: drain until the client's close
            }

            // A full fence each way, paired with BeginShutdown's: either shutdown sees this message in
            // flight and leaves the 1001 to the end of it, or this loop sees the request there.
            Interlocked.Exchange(ref answering, 1);
            try
            {
                await OnMessageAsync(new ReceivedMessage(result.MessageType, received, length, extra, result.EndOfMessage), aborted);
            }
            finally
            {
                Interlocked.Exchange(ref answering, 0);
            }

            if (Volatile.Read(ref shutdownRequested) != 0)
            {
                await ShutdownAsync(); // shutdown came while this message was in flight: its answer is out, now the 1001
            }
        }
    }

    /// <summary>
    /// Sends 1008 (idle) without waiting when the client has sent nothing for longer than the batcher's
    /// idle timeout: its streams are freed, or will be at their next frame, and the connection would
    /// otherwise hold a socket with no stream behind it for as long as the client likes.
    /// </summary>
    /// <param name="now">A <see cref="Stopwatch"/> timestamp.</param>
    /// <param name="idleTicks">The idle timeout in <see cref="Stopwatch"/> ticks.</param>
    public void CloseIfIdle(long now, long idleTicks)
    {
        if (now - Volatile.Read(ref lastMessageAt) > idleTicks && Volatile.Read(ref closeSent) == 0)
        {
            _ = ExpireAsync();
        }
    }

    /// <summary>
    /// Sends 1001 (server shutting down) without waiting, once the answer to a message in flight has
    /// gone out (the loop sends it then; at most <see cref="CloseGrace"/> later regardless); the loop
    /// then drains until the client's close.
    /// </summary>
    public void BeginShutdown()
    {
        Interlocked.Exchange(ref shutdownRequested, 1);
        _ = Volatile.Read(ref answering) == 0 ? ShutdownAsync() : ShutdownAfterGraceAsync();
    }

    /// <summary>Frees the batcher's streams this connection holds; called once, when it has ended.</summary>
    public abstract void CloseStreams();

    public void Dispose() => Interlocked.Exchange(ref abortTimer, null)?.Dispose();

    /// <summary>Answers one whole message (or the start of an over-long one, <see cref="ReceivedMessage.Extra"/> bytes past the buffer).</summary>
    protected abstract ValueTask OnMessageAsync(ReceivedMessage message, CancellationToken aborted);

    /// <summary>Closes with 1008: the client's stream (or the whole connection) was idle past the timeout, and its state is gone.</summary>
    protected async Task ExpireAsync()
    {
        Interlocked.CompareExchange(ref endReason, "expired", null);
        ServerLog.Rejected(Logger, Id, (int)WebSocketCloseStatus.PolicyViolation, "stream expired");
        await SendCloseAsync(WebSocketCloseStatus.PolicyViolation, $"stream idle for longer than {Batcher.Options.IdleTimeout.TotalSeconds} s; its state is gone");
    }

    /// <summary>Closes with 1001: the server is stopping.</summary>
    protected async Task ShutdownAsync()
    {
        Interlocked.CompareExchange(ref endReason, "shutdown", null);
        await SendCloseAsync(WebSocketCloseStatus.EndpointUnavailable, "server shutting down");
    }

    /// <summary>Closes with <paramref name="status"/> and <paramref name="reason"/> because of something the client sent; <paramref name="metric"/> tags the count.</summary>
    protected async Task RejectAsync(WebSocketCloseStatus status, string reason, string metric)
    {
        Volatile.Write(ref endReason, "rejected");
        ServerMetrics.Add(ServerMetrics.FramesRejected, metric);
        ServerLog.Rejected(Logger, Id, (int)status, reason);
        await SendCloseAsync(status, reason);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // a send that waits on TCP allocates no state machine box
    protected async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, WebSocketMessageType type, CancellationToken aborted)
    {
        if (!sendLock.Wait(0, CancellationToken.None))
        {
            await sendLock.WaitAsync(aborted);
        }

        try
        {
            if (Volatile.Read(ref closeSent) == 0)
            {
                await socket.SendAsync(bytes, type, endOfMessage: true, aborted);
            }
        }
        finally
        {
            sendLock.Release();
        }
    }

    // The loop sends the 1001 after its answer; this is for a loop stuck sending to a client that does not read.
    private async Task ShutdownAfterGraceAsync()
    {
        await Task.Delay(CloseGrace);
        await ShutdownAsync();
    }

    private async Task<string> OnCloseReceivedAsync()
    {
        if (Interlocked.Exchange(ref closeSent, 1) == 0)
        {
            // The client began the handshake: answer with its status.
            await WithSendLockAsync(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, null);
        }

        return EndReason ?? "normal";
    }

    /// <summary>Sends a close frame, once, whoever asks first (the loop on a bad message, or shutdown); the socket is aborted if the client does not answer it in time.</summary>
    private async Task SendCloseAsync(WebSocketCloseStatus status, string reason)
    {
        if (Interlocked.Exchange(ref closeSent, 1) != 0)
        {
            return;
        }

        Volatile.Write(ref abortTimer, new Timer(static s => ((WebSocket)s!).Abort(), socket, CloseGrace, Timeout.InfiniteTimeSpan));
        await WithSendLockAsync(status, FitCloseReason(reason));
    }

    // RFC 6455 allows 123 bytes of reason; a longer one would fail the close itself. Cut at a character boundary.
    private static string FitCloseReason(string reason)
    {
        const int MaxBytes = 123;
        if (Encoding.UTF8.GetByteCount(reason) <= MaxBytes)
        {
            return reason;
        }

        int length = reason.Length;
        while (Encoding.UTF8.GetByteCount(reason.AsSpan(0, length)) > MaxBytes - 3 || char.IsHighSurrogate(reason[length - 1]))
        {
            length--;
        }

        return string.Concat(reason.AsSpan(0, length), "…");
    }

    private async Task WithSendLockAsync(WebSocketCloseStatus status, string? reason)
    {
        await sendLock.WaitAsync();
        try
        {
            using var timeout = new CancellationTokenSource(CloseGrace);
            await socket.CloseOutputAsync(status, reason, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException or IOException)
        {
            // The client is gone or not reading: the abort timer, or the receive failing, ends the loop.
        }
        finally
        {
            sendLock.Release();
        }
    }
}

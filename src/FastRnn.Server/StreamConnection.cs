using System;
using System.Diagnostics;
using System.IO;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.Serving;
using Microsoft.Extensions.Logging;

namespace FastRnn.Server;

/// <summary>
/// One WebSocket client and its stream: receive a frame, step it, send the answer, one frame in
/// flight. A client that stops reading blocks only its own send (and so its own receive: TCP pushes
/// back on it); nothing queues without bound. The buffers are made once per connection, so a frame
/// allocates nothing of ours once warm.
/// </summary>
/// <remarks>
/// Only this loop receives. Sends (answers, and the close frame that shutdown sends while the loop
/// waits in a receive) take <see cref="sendLock"/>, because a WebSocket allows one send at a time.
/// After a close frame went out the loop only drains until the client's close; a timer aborts the
/// socket if that does not come within <see cref="CloseGrace"/>. Shutdown waits for a frame being
/// stepped to be answered before it sends its close (at most <see cref="CloseGrace"/>, so a client
/// that does not read holds nothing up): the steps in flight end with their answers delivered.
/// </remarks>
internal sealed class StreamConnection : IDisposable
{
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    // An over-long message is counted for the error's "got M bytes" up to here, not for ever: past it
    // the close goes out and the drain (bounded by CloseGrace) takes what is left.
    private const long CountLimit = 1 << 20;

    private readonly WebSocket socket;
    private readonly StreamBatcher batcher;
    private readonly StreamHandle handle;
    private readonly ILogger logger;
    private readonly byte[] received;   // [4·I] one frame as it arrives
    private readonly byte[] answer;     // [4·O] one answer as sent
    private readonly float[] frame;     // [I]
    private readonly float[] output;    // [O]
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private byte[]? overflow;           // where the rest of an over-long message goes to be counted, made on first use
    private Timer? abortTimer;
    private long lastMessageAt = Stopwatch.GetTimestamp(); // when the client last sent a whole message (or connected)
    private int closeSent;
    private int answering;              // 1 from a whole frame's arrival until its answer went out (or failed)
    private int shutdownRequested;      // 1 once shutdown asked for the 1001, which waits for the answer in flight
    private string? endReason;

    public StreamConnection(long id, WebSocket socket, StreamBatcher batcher, StreamHandle handle, ILogger logger)
    {
        Id = id;
        this.socket = socket;
        this.batcher = batcher;
        this.handle = handle;
        this.logger = logger;
        frame = new float[batcher.Description.InputSize];
        output = new float[batcher.OutputSize];
        received = new byte[4 * frame.Length];
        answer = new byte[4 * output.Length];
    }

    public long Id { get; }

    /// <summary>Frames answered.</summary>
    public long Frames { get; private set; }

    /// <summary>Why the server closed the connection (rejected, expired, shutdown), or null if it did not.</summary>
    public string? EndReason => Volatile.Read(ref endReason);

    /// <summary>Sends the hello, then answers frames until the close handshake ends; returns why the connection ended.</summary>
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

            if (result.MessageType == WebSocketMessageType.Text)
            {
                await RejectAsync(WebSocketCloseStatus.InvalidMessageType, $"expected binary frames of {received.Length} bytes ({frame.Length} float32); got a text message", "text");
                continue;
            }

            if (length + extra != received.Length)
            {
                string got = result.EndOfMessage ? $"{length + extra} bytes" : $"more than {length + extra} bytes";
                await RejectAsync(WebSocketCloseStatus.InvalidPayloadData, $"expected 4·{frame.Length} = {received.Length} bytes ({frame.Length} float32), got {got}", "wrong_length");
                continue;
            }

            // A full fence each way, paired with BeginShutdown's: either shutdown sees this frame in
            // flight and leaves the 1001 to the end of it, or this loop sees the request there.
            Interlocked.Exchange(ref answering, 1);
            try
            {
                FrameCodec.ToFloats(received, frame);
                try
                {
                    await batcher.StepAsync(handle, frame, output, aborted);
                }
                catch (StreamClosedException)
                {
                    // Expired: freed when idle, and perhaps already given to a newer stream (the server
                    // closes a handle only when its connection ends, so nothing else ends one).
                    await ExpireAsync();
                    continue;
                }
                catch (ObjectDisposedException)
                {
                    await ShutdownAsync(); // the batcher went first: the server is stopping
                    continue;
                }

                Frames++;
                FrameCodec.ToBytes(output, answer);
                await SendAsync(answer, WebSocketMessageType.Binary, aborted);
            }
            finally
            {
                Interlocked.Exchange(ref answering, 0);
            }

            if (Volatile.Read(ref shutdownRequested) != 0)
            {
                await ShutdownAsync(); // shutdown came while this frame was in flight: its answer is out, now the 1001
            }
        }
    }

    /// <summary>
    /// Sends 1008 (stream idle) without waiting when the client has sent nothing for longer than the
    /// batcher's idle timeout: its stream is freed, or will be at its next frame, and the connection
    /// would otherwise hold a socket with no stream behind it for as long as the client likes.
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
    /// Sends 1001 (server shutting down) without waiting, once the answer to a frame in flight has gone
    /// out (the loop sends it then; at most <see cref="CloseGrace"/> later regardless); the loop then
    /// drains until the client's close.
    /// </summary>
    public void BeginShutdown()
    {
        Interlocked.Exchange(ref shutdownRequested, 1);
        _ = Volatile.Read(ref answering) == 0 ? ShutdownAsync() : ShutdownAfterGraceAsync();
    }

    public void Dispose() => Interlocked.Exchange(ref abortTimer, null)?.Dispose();

    private async Task ExpireAsync()
    {
        Interlocked.CompareExchange(ref endReason, "expired", null);
        ServerLog.Rejected(logger, Id, (int)WebSocketCloseStatus.PolicyViolation, "stream expired");
        await SendCloseAsync(WebSocketCloseStatus.PolicyViolation, $"stream idle for longer than {batcher.Options.IdleTimeout.TotalSeconds} s; its state is gone");
    }

    private async Task ShutdownAsync()
    {
        Interlocked.CompareExchange(ref endReason, "shutdown", null);
        await SendCloseAsync(WebSocketCloseStatus.EndpointUnavailable, "server shutting down");
    }

    // The loop sends the 1001 after its answer; this is for a loop stuck sending to a client that does not read.
    private async Task ShutdownAfterGraceAsync()
    {
        await Task.Delay(CloseGrace);
        await ShutdownAsync();
    }

    private async Task RejectAsync(WebSocketCloseStatus status, string reason, string metric)
    {
        Volatile.Write(ref endReason, "rejected");
        ServerMetrics.Add(ServerMetrics.FramesRejected, metric);
        ServerLog.Rejected(logger, Id, (int)status, reason);
        await SendCloseAsync(status, reason);
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

    /// <summary>Sends a close frame, once, whoever asks first (the loop on a bad frame, or shutdown); the socket is aborted if the client does not answer it in time.</summary>
    private async Task SendCloseAsync(WebSocketCloseStatus status, string reason)
    {
        if (Interlocked.Exchange(ref closeSent, 1) != 0)
        {
            return;
        }

        Volatile.Write(ref abortTimer, new Timer(static s => ((WebSocket)s!).Abort(), socket, CloseGrace, Timeout.InfiniteTimeSpan));
        await WithSendLockAsync(status, reason);
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

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // a send that waits on TCP allocates no state machine box
    private async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, WebSocketMessageType type, CancellationToken aborted)
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
}

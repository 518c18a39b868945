using System;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace FastRnn.Cli.LoadTest;

/// <summary>
/// What the server's two WebSocket protocols share, for their load streams: the connect, the JSON
/// hello (<see cref="ServerHello"/>) the server sends first, answers that must be one binary message
/// of an exact length, and the ends (a close from the server is recorded by its status, anything
/// unexpected as a protocol error, and the client closes with 1000 when done).
/// </summary>
internal abstract class WebSocketStreamBase : LoadStream
{
    private const int MaxHelloBytes = 64 * 1024;
    private const int QuotedBytes = 200; // of an unexpected text message, in its protocol error
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private readonly ClientWebSocket socket = new();
    private int inputSize;

    /// <summary>The server's hello, once connected.</summary>
    public ServerHello? Hello { get; private set; }

    /// <inheritdoc/>
    public override int InputSize => inputSize;

    /// <inheritdoc/>
    public override async ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        // The handshake waits for the server's close frame: at most CloseTimeout, and never past the run's timeout.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CloseTimeout);
        try
        {
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            EndKey ??= Status(socket.CloseStatus);
            EndReason ??= socket.CloseStatusDescription;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            EndEarly("timeout", "the run's timeout came before the server answered the close");
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            EndEarly("aborted", $"closing: {e.Message}");
        }
    }

    /// <inheritdoc/>
    public override ValueTask DisposeAsync()
    {
        socket.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Connects <paramref name="stream"/> and reads the hello; a stream that could not is returned
    /// ended (<see cref="LoadStream.EndKey"/>). A cancel disposes it and throws.
    /// </summary>
    protected static async Task<T> ConnectAsync<T>(T stream, Uri uri, CancellationToken cancellationToken)
        where T : WebSocketStreamBase
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            await stream.socket.ConnectAsync(uri, cancellationToken);
        }
        catch (Exception e) when (e is WebSocketException or System.Net.Http.HttpRequestException)
        {
            stream.EndEarly("connect_failed", e.GetBaseException().Message);
            return stream;
        }
        catch (OperationCanceledException)
        {
            await stream.DisposeAsync();
            throw;
        }

        try
        {
            await stream.ReadHelloAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await stream.DisposeAsync();
            throw;
        }

        return stream;
    }

    /// <summary>Sends <paramref name="message"/> as one binary message.</summary>
    protected ValueTask SendBinaryAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken) =>
        socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);

    /// <summary>Sizes the stream's buffers, once, from the hello's I and O.</summary>
    protected abstract void Allocate(ServerHello hello);

    /// <summary>
    /// Receives the answer to message <paramref name="sequence"/> into <paramref name="buffer"/> (one
    /// byte longer than any answer, to see one that is too long); true when it is one binary message of
    /// exactly <paramref name="expected"/> bytes, else the stream is ended and says what came instead,
    /// <paramref name="shape"/> telling where <paramref name="expected"/> comes from.
    /// </summary>
    protected async ValueTask<bool> ReceiveAnswerAsync(byte[] buffer, int expected, int sequence, string shape, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        (WebSocketMessageType type, int received, bool whole) = await ReceiveMessageAsync(buffer, cancellationToken);
        if (type == WebSocketMessageType.Close)
        {
            return false;
        }

        string? problem =
            type == WebSocketMessageType.Text ? $"a text message came where the binary answer to message {sequence} was due: {Quote(buffer, received, whole)}"
            : !whole ? $"the answer to message {sequence} is longer than {expected} bytes ({shape})"
            : received != expected ? $"the answer to message {sequence} has {received} bytes, expected {expected} ({shape})"
            : null;
        if (problem is not null)
        {
            await EndByProtocolErrorAsync(problem);
            return false;
        }

        return true;
    }

    /// <summary>Ends the stream as a protocol error naming <paramref name="problem"/>, and tells the server so.</summary>
    protected async Task EndByProtocolErrorAsync(string? problem)
    {
        EndEarly("protocol_error", problem);
        await CloseOutputQuietlyAsync(WebSocketCloseStatus.ProtocolError, "fastrnn loadtest: unexpected message");
    }

    private static string Status(WebSocketCloseStatus? status) =>
        status is WebSocketCloseStatus s ? ((int)s).ToString(CultureInfo.InvariantCulture) : "none";

    private static string Quote(byte[] text, int length, bool whole) =>
        Encoding.UTF8.GetString(text, 0, Math.Min(length, QuotedBytes)) + (whole && length <= QuotedBytes ? string.Empty : "…");

    /// <summary>
    /// One message into <paramref name="buffer"/>: its type, its length, and whether it ended there
    /// (false: it fills the buffer and goes on). A close from the server ends the stream (type Close).
    /// </summary>
    private async ValueTask<(WebSocketMessageType Type, int Received, bool Whole)> ReceiveMessageAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        int received = 0;
        while (true)
        {
            ValueWebSocketReceiveResult result = await socket.ReceiveAsync(buffer.AsMemory(received), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await EndByServerAsync();
                return (WebSocketMessageType.Close, 0, true);
            }

            received += result.Count;
            if (result.EndOfMessage || received == buffer.Length)
            {
                return (result.MessageType, received, result.EndOfMessage);
            }
        }
    }

    private async Task ReadHelloAsync(CancellationToken cancellationToken)
    {
        byte[] hello = new byte[MaxHelloBytes];
        (WebSocketMessageType type, int received, bool whole) message;
        try
        {
            message = await ReceiveMessageAsync(hello, cancellationToken);
        }
        catch (WebSocketException e)
        {
            EndEarly("aborted", e.Message);
            return;
        }

        if (message.type == WebSocketMessageType.Close)
        {
            return;
        }

        if (message.type != WebSocketMessageType.Text)
        {
            await EndByProtocolErrorAsync("the first message is binary; expected the JSON hello as text");
            return;
        }

        if (!message.whole)
        {
            await EndByProtocolErrorAsync($"the hello is longer than {MaxHelloBytes} bytes");
            return;
        }

        Hello = ServerHello.Parse(hello.AsSpan(0, message.received), out string? problem);
        if (Hello is null)
        {
            await EndByProtocolErrorAsync(problem);
            return;
        }

        inputSize = Hello.InputSize;
        Allocate(Hello);
    }

    /// <summary>Records the server's close and answers it, as the protocol asks.</summary>
    private async Task EndByServerAsync()
    {
        EndEarly(Status(socket.CloseStatus), socket.CloseStatusDescription);
        await CloseOutputQuietlyAsync(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, null);
    }

    private async Task CloseOutputQuietlyAsync(WebSocketCloseStatus status, string? reason)
    {
        using var timeout = new CancellationTokenSource(CloseTimeout);
        try
        {
            await socket.CloseOutputAsync(status, reason, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or InvalidOperationException)
        {
            // The stream has ended already and says why; a failed goodbye adds nothing.
        }
    }
}

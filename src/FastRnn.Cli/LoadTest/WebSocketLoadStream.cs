using System;
using System.Buffers.Binary;
using System.Globalization;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;

namespace FastRnn.Cli.LoadTest;

/// <summary>
/// A stream over a WebSocket to <c>/v1/stream</c>: after the upgrade the server sends one JSON text
/// message (<see cref="ServerHello"/>); then every binary message of 4·I bytes (I float32,
/// little-endian) gets one binary answer of 4·O bytes, in order; the client closes with 1000 when
/// done. A close from the server, an answer of another length or a text message ends the stream
/// early, recorded by close status or as a protocol error.
/// </summary>
internal sealed class WebSocketLoadStream : LoadStream
{
    private const int MaxHelloBytes = 64 * 1024;
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private readonly ClientWebSocket socket = new();
    private byte[] sendBuffer = [];    // [4·I] the frame being sent
    private byte[] receiveBuffer = []; // [4·O + 1] an answer; one byte more to see one that is too long
    private int inputSize;

    private WebSocketLoadStream()
    {
    }

    /// <summary>The server's hello, once connected.</summary>
    public ServerHello? Hello { get; private set; }

    /// <inheritdoc/>
    public override int InputSize => inputSize;

    /// <summary>Connects and reads the hello; a stream that could not is returned ended (<see cref="LoadStream.EndKey"/>).</summary>
    public static async Task<WebSocketLoadStream> ConnectAsync(Uri uri, CancellationToken cancellationToken)
    {
        var stream = new WebSocketLoadStream();
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

    /// <inheritdoc/>
    public override ValueTask SendAsync(int sequence, ReadOnlyMemory<float> frame, CancellationToken cancellationToken)
    {
        ReadOnlySpan<float> values = frame.Span;
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(sendBuffer.AsSpan(4 * i), values[i]);
        }

        return socket.SendAsync(sendBuffer.AsMemory(), WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
    }

    /// <inheritdoc/>
    public override async ValueTask<bool> ReceiveAsync(int sequence, CancellationToken cancellationToken)
    {
        int expected = receiveBuffer.Length - 1, received = 0;
        while (true)
        {
            ValueWebSocketReceiveResult result = await socket.ReceiveAsync(receiveBuffer.AsMemory(received), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await EndByServerAsync();
                return false;
            }

            if (result.MessageType == WebSocketMessageType.Text)
            {
                await EndByProtocolErrorAsync($"a text message came for frame {sequence}; answers are binary");
                return false;
            }

            received += result.Count;
            if (result.EndOfMessage)
            {
                break;
            }

            if (received == receiveBuffer.Length)
            {
                await EndByProtocolErrorAsync($"the answer to frame {sequence} is longer than {expected} bytes (4·O, O = {expected / 4} from the hello)");
                return false;
            }
        }

        if (received != expected)
        {
            await EndByProtocolErrorAsync($"the answer to frame {sequence} has {received} bytes, expected {expected} (4·O, O = {expected / 4} from the hello)");
            return false;
        }

        return true;
    }

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

    private static string Status(WebSocketCloseStatus? status) =>
        status is WebSocketCloseStatus s ? ((int)s).ToString(CultureInfo.InvariantCulture) : "none";

    private async Task ReadHelloAsync(CancellationToken cancellationToken)
    {
        byte[] hello = new byte[MaxHelloBytes];
        int received = 0;
        try
        {
            while (true)
            {
                ValueWebSocketReceiveResult result = await socket.ReceiveAsync(hello.AsMemory(received), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await EndByServerAsync();
                    return;
                }

                if (result.MessageType != WebSocketMessageType.Text)
                {
                    await EndByProtocolErrorAsync("the first message is binary; expected the JSON hello as text");
                    return;
                }

                received += result.Count;
                if (result.EndOfMessage)
                {
                    break;
                }

                if (received == hello.Length)
                {
                    await EndByProtocolErrorAsync($"the hello is longer than {MaxHelloBytes} bytes");
                    return;
                }
            }
        }
        catch (WebSocketException e)
        {
            EndEarly("aborted", e.Message);
            return;
        }

        Hello = ServerHello.Parse(hello.AsSpan(0, received), out string? problem);
        if (Hello is null)
        {
            await EndByProtocolErrorAsync(problem);
            return;
        }

        inputSize = Hello.InputSize;
        sendBuffer = new byte[4 * Hello.InputSize];
        receiveBuffer = new byte[(4 * Hello.OutputSize) + 1];
    }

    /// <summary>Records the server's close and answers it, as the protocol asks.</summary>
    private async Task EndByServerAsync()
    {
        EndEarly(Status(socket.CloseStatus), socket.CloseStatusDescription);
        await CloseOutputQuietlyAsync(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, null);
    }

    private async Task EndByProtocolErrorAsync(string? problem)
    {
        EndEarly("protocol_error", problem);
        await CloseOutputQuietlyAsync(WebSocketCloseStatus.ProtocolError, "fastrnn loadtest: unexpected message");
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

using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.Serving;
using Microsoft.Extensions.Logging;

namespace FastRnn.Server;

/// <summary>
/// <c>/v1/stream</c>: one WebSocket client and its one stream. Each binary message is one frame;
/// it is stepped through the batcher's queue (batched with other connections' frames) and answered
/// with one message, one frame in flight.
/// </summary>
internal sealed class StreamConnection : WebSocketConnection
{
    private readonly StreamHandle handle;
    private readonly byte[] answer;     // [4·O] one answer as sent
    private readonly float[] frame;     // [I]
    private readonly float[] output;    // [O]

    public StreamConnection(long id, WebSocket socket, StreamBatcher batcher, StreamHandle handle, ILogger logger)
        : base(id, socket, batcher, logger, 4 * batcher.Description.InputSize)
    {
        this.handle = handle;
        frame = new float[batcher.Description.InputSize];
        output = new float[batcher.OutputSize];
        answer = new byte[4 * output.Length];
    }

    protected override int MaxMessageBytes => 4 * frame.Length;

    public override void CloseStreams() => Batcher.Close(handle);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // an answer that waits (for the batcher, or on TCP) allocates no state machine box
    protected override async ValueTask OnMessageAsync(ReceivedMessage message, CancellationToken aborted)
    {
        if (message.Type == WebSocketMessageType.Text)
        {
            await RejectAsync(WebSocketCloseStatus.InvalidMessageType, $"expected binary frames of {MaxMessageBytes} bytes ({frame.Length} float32); got a text message", "text");
            return;
        }

        if (message.Length + message.Extra != MaxMessageBytes)
        {
            await RejectAsync(WebSocketCloseStatus.InvalidPayloadData, $"expected 4·{frame.Length} = {MaxMessageBytes} bytes ({frame.Length} float32), got {message.SizeText}", "wrong_length");
            return;
        }

        FrameCodec.ToFloats(message.Bytes, frame);
        try
        {
            await Batcher.StepAsync(handle, frame, output, aborted);
        }
        catch (StreamClosedException)
        {
            // Expired: freed when idle, and perhaps already given to a newer stream (the server
            // closes a handle only when its connection ends, so nothing else ends one).
            await ExpireAsync();
            return;
        }
        catch (System.ObjectDisposedException)
        {
            await ShutdownAsync(); // the batcher went first: the server is stopping
            return;
        }

        Frames++;
        FrameCodec.ToBytes(output, answer);
        await SendAsync(answer, WebSocketMessageType.Binary, aborted);
    }
}

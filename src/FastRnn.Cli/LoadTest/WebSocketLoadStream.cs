using System;
using System.Buffers.Binary;
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
internal sealed class WebSocketLoadStream : WebSocketStreamBase
{
    private byte[] sendBuffer = [];    // [4·I] the frame being sent
    private byte[] receiveBuffer = []; // [4·O + 1] an answer; one byte more to see one that is too long
    private string shape = string.Empty;

    private WebSocketLoadStream()
    {
    }

    /// <summary>Connects and reads the hello; a stream that could not is returned ended (<see cref="LoadStream.EndKey"/>).</summary>
    public static Task<WebSocketLoadStream> ConnectAsync(Uri uri, CancellationToken cancellationToken) =>
        ConnectAsync(new WebSocketLoadStream(), uri, cancellationToken);

    /// <inheritdoc/>
    public override ValueTask SendAsync(int sequence, ReadOnlyMemory<float> frame, CancellationToken cancellationToken)
    {
        ReadOnlySpan<float> values = frame.Span;
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(sendBuffer.AsSpan(4 * i), values[i]);
        }

        return SendBinaryAsync(sendBuffer, cancellationToken);
    }

    /// <inheritdoc/>
    public override ValueTask<bool> ReceiveAsync(int sequence, CancellationToken cancellationToken) =>
        ReceiveAnswerAsync(receiveBuffer, receiveBuffer.Length - 1, sequence, shape, cancellationToken);

    /// <inheritdoc/>
    protected override void Allocate(ServerHello hello)
    {
        sendBuffer = new byte[4 * hello.InputSize];
        receiveBuffer = new byte[(4 * hello.OutputSize) + 1];
        shape = $"4·O, O = {hello.OutputSize} from the hello";
    }
}

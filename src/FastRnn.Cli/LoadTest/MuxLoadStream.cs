using System;
using System.Buffers.Binary;
using System.Threading;
using System.Threading.Tasks;

namespace FastRnn.Cli.LoadTest;

/// <summary>
/// The n streams of one WebSocket connection to <c>/v1/streams</c>, as a gateway sends them: after
/// the JSON hello (<see cref="ServerHello"/>), each message carries one record per stream, its id
/// (0..n-1, uint32 little-endian) then its I float32, and gets one binary answer of n records (id
/// then O float32) in the request's order. An answer of another length or with other ids, a text
/// message (the server's <c>{"expired":[...]}</c> included: no stream here is idle that long) or a
/// close from the server ends all n streams early; the client closes with 1000 when done.
/// </summary>
internal sealed class MuxLoadStream : WebSocketStreamBase
{
    private readonly int streams;
    private byte[] sendBuffer = [];    // [n, 4 + 4·I] one message: each stream's id and frame
    private byte[] receiveBuffer = []; // [n, 4 + 4·O] + 1 its answer; one byte more to see one that is too long
    private int outputRecord;          // 4 + 4·O
    private string shape = string.Empty;

    private MuxLoadStream(int streams) => this.streams = streams;

    /// <summary>Streams this connection carries, n.</summary>
    public int Streams => streams;

    /// <summary>Connects, reads the hello and sizes the buffers for <paramref name="streams"/> streams; a connection that could not is returned ended (<see cref="LoadStream.EndKey"/>).</summary>
    public static Task<MuxLoadStream> ConnectAsync(Uri uri, int streams, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(streams, 1);
        return ConnectAsync(new MuxLoadStream(streams), uri, cancellationToken);
    }

    /// <summary>Sends frame <paramref name="sequence"/> of every stream: <paramref name="frame"/> is [n, I], stream j's frame in row j.</summary>
    public override ValueTask SendAsync(int sequence, ReadOnlyMemory<float> frame, CancellationToken cancellationToken)
    {
        ReadOnlySpan<float> values = frame.Span;
        int inputSize = InputSize, inputRecord = 4 + (4 * inputSize);
        for (int j = 0; j < streams; j++)
        {
            Span<byte> record = sendBuffer.AsSpan((j * inputRecord) + 4, 4 * inputSize);
            ReadOnlySpan<float> row = values.Slice(j * inputSize, inputSize);
            for (int i = 0; i < row.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(record[(4 * i)..], row[i]);
            }
        }

        return SendBinaryAsync(sendBuffer, cancellationToken);
    }

    /// <summary>Waits for the answer to message <paramref name="sequence"/> and checks its length and its records' ids.</summary>
    public override async ValueTask<bool> ReceiveAsync(int sequence, CancellationToken cancellationToken)
    {
        if (!await ReceiveAnswerAsync(receiveBuffer, receiveBuffer.Length - 1, sequence, shape, cancellationToken))
        {
            return false;
        }

        for (int j = 0; j < streams; j++)
        {
            uint id = BinaryPrimitives.ReadUInt32LittleEndian(receiveBuffer.AsSpan(j * outputRecord));
            if (id != (uint)j)
            {
                await EndByProtocolErrorAsync($"record {j} of the answer to message {sequence} has stream id {id}, expected {j} (records come in the request's order)");
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    protected override void Allocate(ServerHello hello)
    {
        int inputRecord = 4 + (4 * hello.InputSize);
        outputRecord = 4 + (4 * hello.OutputSize);
        sendBuffer = new byte[streams * inputRecord];
        receiveBuffer = new byte[(streams * outputRecord) + 1];
        shape = $"{streams} records of 4 + 4·O bytes, O = {hello.OutputSize} from the hello";

        // The ids stay put: each send writes only the frames.
        for (int j = 0; j < streams; j++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(sendBuffer.AsSpan(j * inputRecord), (uint)j);
        }
    }
}

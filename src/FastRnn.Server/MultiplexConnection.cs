using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.Serving;
using Microsoft.Extensions.Logging;

namespace FastRnn.Server;

/// <summary>
/// <c>/v1/streams</c>: one WebSocket client carrying many streams, as a gateway that fronts many
/// microphones or sensors does. A binary message holds one frame for each of several streams, each
/// record a uint32 stream id (the client's, unique on this connection) and I float32; the frames are
/// stepped together, on this connection's thread, as one synchronous batched step of the batcher, and
/// answered with one message of the same ids, in the same order, each with O float32. A new id opens a
/// stream; <c>{"end":[ids]}</c> (text) ends streams. One message per tick instead of one per frame
/// shares the operating system's per-message cost among the streams.
/// </summary>
/// <remarks>
/// The buffers grow to the longest message seen (at most <see cref="MaxRecords"/> records) and are
/// reused, so a message allocates nothing of ours once warm, new streams apart (their entry in the
/// id map).
/// </remarks>
internal sealed class MultiplexConnection : WebSocketConnection
{
    /// <summary>Records in one message at most, whatever the number of slots: a longer message is refused before it is kept.</summary>
    public const int RecordLimit = 4096;

    private const int FirstRecords = 16;

    private readonly int inputSize, outputSize;
    private readonly Dictionary<uint, StreamHandle> streams = [];
    private readonly HashSet<uint> seen = [];
    private readonly List<uint> forgotten = [];                          // ids forgotten for this message's notice (ForgetExpired)
    private readonly ArrayBufferWriter<byte> notice = new(256); // the {"expired":[...]} text, when a message meets expired streams
    private uint[] ids = new uint[FirstRecords];                         // [n] the message's stream ids, in its order
    private StreamHandle[] handles = new StreamHandle[FirstRecords];     // [n]
    private bool[] expired = new bool[FirstRecords];                     // [n] whose stream was gone (idle past the timeout)
    private bool[] opened = new bool[FirstRecords];                      // [n] whose stream this message opened
    private float[] frames = [];                                         // [n, I]
    private float[] outputs = [];                                        // [n, O]
    private byte[] answer = [];                                          // [n, 4 + 4·O] the answer as sent

    public MultiplexConnection(long id, WebSocket socket, StreamBatcher batcher, ILogger logger)
        : base(id, socket, batcher, logger, Math.Min(FirstRecords, RecordsAllowed(batcher)) * (4 + (4 * batcher.Description.InputSize)))
    {
        inputSize = batcher.Description.InputSize;
        outputSize = batcher.OutputSize;
        MaxRecords = RecordsAllowed(batcher);
        Grow(Math.Min(FirstRecords, MaxRecords));
    }

    /// <summary>Records one message may hold: the batcher's slots, at most <see cref="RecordLimit"/>.</summary>
    public int MaxRecords { get; }

    /// <summary>Streams this connection has open.</summary>
    public int OpenStreams => streams.Count;

    private int RecordBytes => 4 + (4 * inputSize);

    private int MaxBinaryBytes => MaxRecords * RecordBytes;

    // Room for {"end":[...]} naming as many ids as a message may carry records, each of ten digits,
    // a comma and a space: with one or two floats a frame a record is shorter than that, and a
    // client could not end its streams if the text had to fit the longest binary message.
    private int MaxEndTextBytes => 16 + (12 * MaxRecords);

    protected override int MaxMessageBytes => Math.Max(MaxBinaryBytes, MaxEndTextBytes);

    public override void CloseStreams()
    {
        foreach (StreamHandle handle in streams.Values)
        {
            Batcher.Close(handle);
        }

        streams.Clear();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // an answer that waits (for the batcher, or on TCP) allocates no state machine box
    protected override async ValueTask OnMessageAsync(ReceivedMessage message, CancellationToken aborted)
    {
        if (message.Type == WebSocketMessageType.Text)
        {
            await OnTextAsync(message);
            return;
        }

        long total = message.Length + message.Extra;
        if (total == 0 || total % RecordBytes != 0 || total > MaxBinaryBytes || !message.Complete)
        {
            // A close reason holds at most 123 bytes (RFC 6455): short words, the numbers that matter.
            string why = total > MaxBinaryBytes ? $"; at most {MaxRecords} records" : string.Empty;
            await RejectAsync(WebSocketCloseStatus.InvalidPayloadData,
                $"expected n·{RecordBytes} bytes (n records: uint32 id + {inputSize} float32), got {message.SizeText}{why}", "wrong_length");
            return;
        }

        int n = (int)(total / RecordBytes);
        if (n > ids.Length)
        {
            Grow(Math.Min(MaxRecords, Math.Max(n, 2 * ids.Length)));
        }

        if (ReadIds(message.Bytes, n) is string duplicate)
        {
            await RejectAsync(WebSocketCloseStatus.InvalidPayloadData, duplicate, "duplicate_id");
            return;
        }

        if (!await OpenNewStreamsAsync(n))
        {
            return;
        }

        for (int i = 0; i < n; i++)
        {
            FrameCodec.ToFloats(message.Bytes.Slice((i * RecordBytes) + 4, 4 * inputSize), frames.AsSpan(i * inputSize, inputSize));
        }

        int stepped;
        try
        {
            stepped = Step(n);
        }
        catch (ObjectDisposedException)
        {
            await ShutdownAsync(); // the batcher went first: the server is stopping
            return;
        }

        if (stepped < n || forgotten.Count > 0)
        {
            await SendAsync(ExpiredNotice(n), WebSocketMessageType.Text, aborted);
        }

        // Sent even with no record left (every stream had expired): one answer a message is what keeps
        // a client that has several messages out pairing answers with its messages.
        Frames += stepped;
        await SendAsync(Answer(n), WebSocketMessageType.Binary, aborted);
    }

    // The ids of the message's records into ids[..n]; a message naming a stream twice is refused whole.
    private string? ReadIds(ReadOnlySpan<byte> bytes, int n)
    {
        seen.Clear();
        for (int i = 0; i < n; i++)
        {
            uint id = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(i * RecordBytes)..]);
            if (!seen.Add(id))
            {
                return $"stream id {id} twice in one message (records {Array.IndexOf(ids, id, 0, i)} and {i}); one frame a stream a message";
            }

            ids[i] = id;
        }

        return null;
    }

    // Opens a stream for each id this connection has not seen; false (the connection closing) when the
    // slots run out. A refused message opens nothing: the streams it opened are closed at once, so they
    // do not hold slots another connection starting at the same moment could have had.
    private async ValueTask<bool> OpenNewStreamsAsync(int n)
    {
        Array.Clear(opened, 0, n);
        for (int i = 0; i < n; i++)
        {
            if (streams.TryGetValue(ids[i], out StreamHandle handle))
            {
                handles[i] = handle;
                continue;
            }

            try
            {
                // Inside the try: ForgetExpired asks the batcher (IsOpen), which a stopping server may
                // have disposed, and that must end in the 1001 a refused Open sends.
                if (streams.Count >= Batcher.Options.MaxStreams)
                {
                    ForgetExpired();
                }

                handle = Batcher.Open();
            }
            catch (ObjectDisposedException)
            {
                await ShutdownAsync();
                return false;
            }
            catch (InvalidOperationException)
            {
                int open = Batcher.OpenStreams;
                CloseOpened(i);
                await RejectAsync(StreamEndpoint.TryAgainLater, $"server full: {open} streams open; stream id {ids[i]} could not be opened", "full");
                return false;
            }

            streams.Add(ids[i], handle);
            handles[i] = handle;
            opened[i] = true;
            ServerLog.Opened(Logger, Id, $"{handle} as stream id {ids[i]}");
        }

        return true;
    }

    // An id map with as many entries as the batcher has slots holds some whose stream expired without
    // being named again (a gateway that starts an id per utterance and lets them idle out): forget those,
    // and name them in this message's {"expired":[...]}, so the map stays within the slots and a later
    // frame with such an id is known to start a new stream. This message's own ids are left to Step.
    private void ForgetExpired()
    {
        foreach (KeyValuePair<uint, StreamHandle> entry in streams)
        {
            if (!seen.Contains(entry.Key) && !Batcher.IsOpen(entry.Value))
            {
                forgotten.Add(entry.Key);
            }
        }

        foreach (uint id in forgotten)
        {
            streams.Remove(id);
        }
    }

    // Closes the streams this message opened among its first `count` records.
    private void CloseOpened(int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (opened[i])
            {
                streams.Remove(ids[i]);
                Batcher.Close(handles[i]);
            }
        }
    }

    // Steps the message's streams as one batch; returns how many were stepped. A stream freed for idling
    // refuses the whole batched call, so then each steps alone and the gone ones are marked and forgotten
    // (a later frame with the id opens a new stream).
    private int Step(int n)
    {
        Array.Clear(expired, 0, n);
        try
        {
            Batcher.Step(handles.AsSpan(0, n), frames.AsSpan(0, n * inputSize), outputs.AsSpan(0, n * outputSize));
            return n;
        }
        catch (StreamClosedException)
        {
        }

        int stepped = 0;
        for (int i = 0; i < n; i++)
        {
            try
            {
                Batcher.Step(handles[i], frames.AsSpan(i * inputSize, inputSize), outputs.AsSpan(i * outputSize, outputSize));
                stepped++;
            }
            catch (StreamClosedException)
            {
                expired[i] = true;
                streams.Remove(ids[i]);
            }
        }

        return stepped;
    }

    // {"expired":[ids]}: the streams of this message whose state was gone, and those forgotten to make room
    // (ForgetExpired); sent before the answer, which leaves them out.
    private ReadOnlyMemory<byte> ExpiredNotice(int n)
    {
        notice.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(notice))
        {
            json.WriteStartObject();
            json.WriteStartArray("expired");
            foreach (uint id in forgotten)
            {
                json.WriteNumberValue(id);
            }

            for (int i = 0; i < n; i++)
            {
                if (expired[i])
                {
                    json.WriteNumberValue(ids[i]);
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        forgotten.Clear();
        return notice.WrittenMemory;
    }

    // [stepped, 4 + 4·O]: each stepped stream's id and output, in the message's order.
    private ReadOnlyMemory<byte> Answer(int n)
    {
        int recordBytes = 4 + (4 * outputSize), at = 0;
        for (int i = 0; i < n; i++)
        {
            if (expired[i])
            {
                continue;
            }

            BinaryPrimitives.WriteUInt32LittleEndian(answer.AsSpan(at), ids[i]);
            FrameCodec.ToBytes(outputs.AsSpan(i * outputSize, outputSize), answer.AsSpan(at + 4, 4 * outputSize));
            at += recordBytes;
        }

        return answer.AsMemory(0, at);
    }

    // {"end":[ids]} ends those streams; ids this connection does not hold are ignored (they may have expired).
    private async ValueTask OnTextAsync(ReceivedMessage message)
    {
        string? problem = message.Extra > 0 || !message.Complete ? $"a text message of {message.SizeText}"
            : TryReadEnd(message.Bytes, out string? wrong) ? null : wrong;
        if (problem is not null)
        {
            await RejectAsync(WebSocketCloseStatus.InvalidPayloadData, $"expected text {{\"end\":[ids]}}; got {problem}", "text");
        }
    }

    private bool TryReadEnd(ReadOnlySpan<byte> text, out string? problem)
    {
        problem = null;
        try
        {
            var reader = new Utf8JsonReader(text);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject || !reader.Read()
                || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("end"u8)
                || !reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                problem = "another JSON shape";
                return false;
            }

            // Checked whole before any stream ends: a bad message changes nothing.
            Utf8JsonReader check = reader;
            while (check.Read() && check.TokenType != JsonTokenType.EndArray)
            {
                if (check.TokenType != JsonTokenType.Number || !check.TryGetUInt32(out _))
                {
                    problem = "an id that is not a uint32";
                    return false;
                }
            }

            if (!check.Read() || check.TokenType != JsonTokenType.EndObject || check.Read())
            {
                problem = "more than the \"end\" array";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.Number)
            {
                if (streams.Remove(reader.GetUInt32(), out StreamHandle handle))
                {
                    Batcher.Close(handle);
                }
            }

            return true;
        }
        catch (JsonException)
        {
            problem = "text that is not JSON";
            return false;
        }
    }

    private static int RecordsAllowed(StreamBatcher batcher) => Math.Min(batcher.Options.MaxStreams, RecordLimit);

    private void Grow(int records)
    {
        Array.Resize(ref ids, records);
        Array.Resize(ref handles, records);
        Array.Resize(ref expired, records);
        Array.Resize(ref opened, records);
        frames = new float[records * inputSize];
        outputs = new float[records * outputSize];
        answer = new byte[records * (4 + (4 * outputSize))];
    }
}

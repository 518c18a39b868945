using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace FastRnn.Tests.Server;

/// <summary>The client side of /v1/streams for tests: records of a uint32 stream id and the stream's floats, written and read as the protocol says, independently of the server's code.</summary>
internal static class MultiplexClient
{
    public static Task SendAsync(WebSocket socket, IReadOnlyList<(uint Id, float[] Frame)> records, CancellationToken cancellationToken)
    {
        var bytes = new List<byte>();
        foreach ((uint id, float[] frame) in records)
        {
            byte[] idBytes = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(idBytes, id);
            bytes.AddRange(idBytes);
            bytes.AddRange(MemoryMarshal.AsBytes(frame.AsSpan()).ToArray());
        }

        return socket.SendAsync(bytes.ToArray(), WebSocketMessageType.Binary, true, cancellationToken);
    }

    public static Task SendTextAsync(WebSocket socket, string text, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cancellationToken);

    /// <summary>The next message, which must be a binary answer of records with <paramref name="outputSize"/> floats each.</summary>
    public static async Task<List<(uint Id, float[] Output)>> ReceiveAsync(WebSocket socket, int outputSize, CancellationToken cancellationToken)
    {
        (WebSocketMessageType type, byte[] bytes) = await ServerFixture.ReceiveAsync(socket, cancellationToken);
        Assert.True(type == WebSocketMessageType.Binary, $"expected a binary answer, got {type} '{(type == WebSocketMessageType.Text ? Encoding.UTF8.GetString(bytes) : string.Empty)}' (close {socket.CloseStatus} '{socket.CloseStatusDescription}')");
        int record = 4 + (4 * outputSize);
        Assert.True(bytes.Length % record == 0, $"an answer of {bytes.Length} bytes is not whole records of {record}");
        var records = new List<(uint, float[])>();
        for (int at = 0; at < bytes.Length; at += record)
        {
            records.Add((BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at)), MemoryMarshal.Cast<byte, float>(bytes.AsSpan(at + 4, 4 * outputSize)).ToArray()));
        }

        return records;
    }
}

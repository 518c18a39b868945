using System;
using System.Net.WebSockets;

namespace FastRnn.Server;

/// <summary>One message as the receive loop took it: its type, the bytes that fit the buffer, and how many more came past it.</summary>
/// <param name="Type">Binary or text.</param>
/// <param name="Buffer">The connection's receive buffer; the message is its first <paramref name="Length"/> bytes.</param>
/// <param name="Length">Bytes in <paramref name="Buffer"/>.</param>
/// <param name="Extra">Bytes past the longest message the protocol allows (counted, not kept; counting stops past 1 MiB).</param>
/// <param name="Complete">Whether the message's end arrived (false when counting stopped first).</param>
internal readonly record struct ReceivedMessage(WebSocketMessageType Type, byte[] Buffer, int Length, long Extra, bool Complete)
{
    /// <summary>The bytes kept, [Length].</summary>
    public ReadOnlySpan<byte> Bytes => Buffer.AsSpan(0, Length);

    /// <summary>"N bytes", or "more than N bytes" when counting stopped before the end, for error messages.</summary>
    public string SizeText => Complete ? $"{Length + Extra} bytes" : $"more than {Length + Extra} bytes";
}

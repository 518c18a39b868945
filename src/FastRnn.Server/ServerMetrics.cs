using System.Collections.Generic;
using System.Diagnostics.Metrics;

namespace FastRnn.Server;

/// <summary>
/// The service's instruments, on the meter "FastRnn.Server" (the batcher's own are on
/// "FastRnn.Serving"). Each records one event of a connection's life, never a frame that was
/// answered, so none is on the hot path.
/// </summary>
internal static class ServerMetrics
{
    public static readonly Meter Meter = new("FastRnn.Server");

    public static readonly Counter<long> ConnectionsOpened = Meter.CreateCounter<long>("fastrnn.server.connections.opened", "{connection}", "WebSocket connections given a stream.");

    public static readonly Counter<long> ConnectionsRefused = Meter.CreateCounter<long>("fastrnn.server.connections.refused", "{connection}", "WebSocket connections closed at once (reason: full, shutting_down).");

    public static readonly Counter<long> ConnectionsClosed = Meter.CreateCounter<long>("fastrnn.server.connections.closed", "{connection}", "Streams ended (reason: normal, rejected, expired, aborted, shutdown).");

    public static readonly Counter<long> FramesRejected = Meter.CreateCounter<long>("fastrnn.server.frames.rejected", "{frame}", "Messages that closed their connection (reason: wrong_length, text, duplicate_id, full).");

    public static void Add(Counter<long> counter, string reason) => counter.Add(1, new KeyValuePair<string, object?>("reason", reason));
}

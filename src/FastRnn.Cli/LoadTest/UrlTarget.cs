using System;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace FastRnn.Cli.LoadTest;

/// <summary>
/// A server's <c>/v1/stream</c> WebSocket endpoint, a connection per stream, or with
/// <see cref="LoadTestSettings.StreamsPerConnection"/> its <c>/v1/streams</c>, many streams a
/// connection; the report's model is the first hello the server sent.
/// </summary>
internal sealed class UrlTarget(Uri streamUri, LoadTestSettings settings) : ILoadTarget
{
    private ServerHello? hello;

    /// <inheritdoc/>
    public string Mode => "url";

    /// <inheritdoc/>
    public string Address => streamUri.ToString();

    /// <inheritdoc/>
    public double? MeanBatch => null; // the protocol does not carry the server's batch sizes

    /// <inheritdoc/>
    public async Task<LoadStream> OpenAsync(int index, CancellationToken cancellationToken)
    {
        WebSocketStreamBase stream = settings.StreamsPerConnection is null
            ? await WebSocketLoadStream.ConnectAsync(streamUri, cancellationToken)
            : await MuxLoadStream.ConnectAsync(streamUri, settings.StreamsOf(index), cancellationToken);
        if (stream.Hello is ServerHello first)
        {
            Interlocked.CompareExchange(ref hello, first, null);
        }

        return stream;
    }

    /// <inheritdoc/>
    public void Abort()
    {
        // The sockets are aborted by the canceled token of their own calls.
    }

    /// <inheritdoc/>
    public void WriteModel(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (Volatile.Read(ref hello) is ServerHello first)
        {
            first.Json.WriteTo(writer);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}

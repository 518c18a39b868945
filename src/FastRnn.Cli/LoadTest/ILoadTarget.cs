using System;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace FastRnn.Cli.LoadTest;

/// <summary>What a load test opens its streams on: a server's URL, or a batcher in this process.</summary>
internal interface ILoadTarget : IDisposable
{
    /// <summary>"url" or "in-process", for the report.</summary>
    string Mode { get; }

    /// <summary>Where the streams go, for the report: the WebSocket URL or the model file.</summary>
    string Address { get; }

    /// <summary>Streams per batched step seen so far (the batcher's metrics), or null where they cannot be read.</summary>
    double? MeanBatch { get; }

    /// <summary>
    /// Opens stream <paramref name="index"/> (with <see cref="LoadTestSettings.StreamsPerConnection"/>,
    /// connection <paramref name="index"/> and its streams); one that could not open is returned ended.
    /// </summary>
    Task<LoadStream> OpenAsync(int index, CancellationToken cancellationToken);

    /// <summary>Fails every step still in flight, when the run's timeout fires.</summary>
    void Abort();

    /// <summary>Writes what serves the streams as a JSON object (the server's hello, or the model), or null when unknown.</summary>
    void WriteModel(Utf8JsonWriter writer);
}

using System;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.Heads;
using FastRnn.IO;
using FastRnn.Kernels;
using FastRnn.Networks;
using FastRnn.Serving;

namespace FastRnn.Cli.LoadTest;

/// <summary>
/// A <see cref="StreamBatcher"/> in this process with one slot per stream, stepped through
/// <see cref="StreamBatcher.StepAsync"/>: the serving path without the network, so the network's share
/// of a server's figures can be told apart. The mean batch comes from the batcher's metrics. The
/// batcher warms up for a second before the streams start, as the server does.
/// </summary>
internal sealed class InProcessTarget : ILoadTarget
{
    private readonly StreamBatcher batcher;
    private readonly DenseHead? head;
    private readonly int window;
    private readonly BatchSizeListener batches;
    private readonly string path;
    private readonly WeightFormat weights;

    /// <summary>Creates the batcher.</summary>
    /// <exception cref="NotSupportedException">The network is bidirectional or reverse.</exception>
    public InProcessTarget(string path, RecurrentNetwork network, DenseHead? head, StreamBatcherOptions options, int window)
    {
        this.path = path;
        this.head = head;
        this.window = window;
        weights = network.WeightFormat;
        batcher = new StreamBatcher(network, options with { Head = head });

        // As the server does before it reports healthy: otherwise the first seconds of the run
        // measure the JIT's unoptimised code, several times slower at large batches.
        batcher.WarmUp(TimeSpan.FromSeconds(1));
        batches = new BatchSizeListener();
    }

    /// <inheritdoc/>
    public string Mode => "in-process";

    /// <inheritdoc/>
    public string Address => path;

    /// <inheritdoc/>
    public double? MeanBatch => batches.Mean;

    /// <inheritdoc/>
    public Task<LoadStream> OpenAsync(int index, CancellationToken cancellationToken) =>
        Task.FromResult<LoadStream>(new BatcherLoadStream(batcher, window));

    /// <inheritdoc/>
    public void Abort() => batcher.Dispose();

    /// <inheritdoc/>
    public void WriteModel(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        NetworkDescription d = batcher.Description;
        writer.WriteStartObject();
        writer.WriteNumber("input_size", d.InputSize);
        writer.WriteNumber("output_size", head?.OutputSize ?? d.StateSize);
        writer.WriteString("cell", d.Kind.ToString());
        writer.WriteNumber("hidden_size", d.HiddenSize);
        writer.WriteNumber("layers", d.NumLayers);
        writer.WriteString("weights", NetworkFile.FormatName(weights));
        writer.WriteString("isa", Isa.Active.ToString());
        writer.WriteNumber("max_batch", batcher.Options.MaxBatch);
        writer.WriteNumber("threads", batcher.Options.Threads);
        if (head is not null)
        {
            writer.WriteString("head", head.Activation.ToString());
        }

        writer.WriteEndObject();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        batcher.Dispose();
        batches.Dispose();
    }
}

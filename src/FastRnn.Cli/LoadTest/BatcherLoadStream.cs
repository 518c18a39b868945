using System;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.Serving;

namespace FastRnn.Cli.LoadTest;

/// <summary>
/// A stream straight into a <see cref="StreamBatcher"/>: each frame is one <see cref="StreamBatcher.StepAsync"/>,
/// queued at once (the batcher applies a stream's frames in order), so the figures are the batcher's
/// alone, without a network. A module's head is the batcher's (applied to each batch after its step),
/// so each answer is the head's output, as the server's are.
/// </summary>
internal sealed class BatcherLoadStream : LoadStream
{
    private readonly StreamBatcher batcher;
    private readonly StreamHandle handle;
    private readonly int window;
    private readonly ValueTask[] steps;  // [window] the unanswered steps, by sequence mod window
    private readonly float[] outputs;    // [window, O] their outputs (O: the head's size, else H_out)

    public BatcherLoadStream(StreamBatcher batcher, int window)
    {
        this.batcher = batcher;
        this.window = window;
        handle = batcher.Open();
        steps = new ValueTask[window];
        outputs = new float[window * batcher.OutputSize];
    }

    /// <inheritdoc/>
    public override int InputSize => batcher.Description.InputSize;

    /// <inheritdoc/>
    public override ValueTask SendAsync(int sequence, ReadOnlyMemory<float> frame, CancellationToken cancellationToken)
    {
        // Kept until ReceiveAsync awaits it, exactly once: the answers are taken in order.
#pragma warning disable CA2012
        steps[sequence % window] = batcher.StepAsync(handle, frame, Output(sequence), cancellationToken);
#pragma warning restore CA2012
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override async ValueTask<bool> ReceiveAsync(int sequence, CancellationToken cancellationToken)
    {
        ValueTask step = steps[sequence % window];
        steps[sequence % window] = default;
        await step;
        return true;
    }

    /// <inheritdoc/>
    public override ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        try
        {
            batcher.Close(handle);
        }
        catch (ObjectDisposedException)
        {
            EndEarly("timeout", "the run's timeout disposed the batcher before the stream was closed");
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override ValueTask DisposeAsync()
    {
        // Closing twice is harmless (false the second time); a disposed batcher has closed every stream.
        try
        {
            batcher.Close(handle);
        }
        catch (ObjectDisposedException)
        {
            // The run's timeout disposed the batcher, which ended every stream.
        }

        return ValueTask.CompletedTask;
    }

    private Memory<float> Output(int sequence)
    {
        int size = batcher.OutputSize;
        return outputs.AsMemory(sequence % window * size, size);
    }
}

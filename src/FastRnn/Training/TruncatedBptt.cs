using System;
using System.Diagnostics.CodeAnalysis;
using FastRnn.Networks;

namespace FastRnn.Training;

/// <summary>
/// Truncated backpropagation through time for long or endless streams (stateful time-series
/// training): the stream is consumed in windows of at most k steps; each window starts from the
/// state the previous one ended in, and its gradient stops at the window's start (the carried
/// state is treated as a constant, as <c>h.detach()</c> does in PyTorch).
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "Its sessions and workspaces run on the calling thread only (threads: 1): they own no worker threads, and nothing else that outlives a collection.")]
public sealed class TruncatedBptt
{
    private readonly TrainingSession session;
    private readonly float[] hidden;   // [L, B, H_out] carried state
    private readonly float[] cell;     // [L, B, H] carried cell state (LSTM)
    private readonly float[] nextHidden;
    private readonly float[] nextCell;

    /// <summary>Prepares windows of up to <paramref name="window"/> steps for <paramref name="batch"/> parallel streams.</summary>
    /// <param name="network">A unidirectional network.</param>
    /// <param name="batch">Parallel streams (each row of the batch is its own stream).</param>
    /// <param name="window">k: the longest window, and so the furthest a gradient reaches back.</param>
    public TruncatedBptt(RecurrentNetwork network, int batch, int window)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        NetworkDescription d = network.Description;
        if (d.Bidirectional)
        {
            throw new NotSupportedException("Truncated BPTT carries state forward through a stream; a bidirectional network needs the whole sequence.");
        }

        if (d.Reverse)
        {
            throw new NotSupportedException("Truncated BPTT carries state forward through a stream; a reverse network runs backward in time and needs the whole sequence.");
        }

        session = new TrainingSession(network, batch, window);
        Batch = batch;
        Window = window;
        hidden = new float[d.NumLayers * batch * d.StateSize];
        nextHidden = new float[hidden.Length];
        cell = new float[d.HasCellState ? d.NumLayers * batch * d.HiddenSize : 0];
        nextCell = new float[cell.Length];
    }

    /// <summary>Parallel streams.</summary>
    public int Batch { get; }

    /// <summary>The longest window (k).</summary>
    public int Window { get; }

    /// <summary>The state carried into the next window: [L, B, H_out].</summary>
    public ReadOnlySpan<float> CarriedHidden => hidden;

    /// <summary>Runs one window forward from the carried state.</summary>
    /// <param name="input">[steps, B, I] (or [B, steps, I] with batch_first).</param>
    /// <param name="steps">Steps in this window, 1..k.</param>
    /// <param name="output">[steps, B, H_out] (or batch-first).</param>
    public void Forward(ReadOnlySpan<float> input, int steps, Span<float> output)
    {
        session.Forward(input, steps, Batch, output, new InitialState(hidden, cell.Length == 0 ? default : cell), new FinalState(nextHidden, cell.Length == 0 ? default : nextCell));
    }

    /// <summary>
    /// Backward through the window just run, accumulating weight gradients; then carries its final
    /// state into the next window.
    /// </summary>
    /// <param name="gradOutput">[steps, B, H_out] gradient of this window's output.</param>
    /// <param name="gradients">Accumulates the weight gradients.</param>
    public void Backward(ReadOnlySpan<float> gradOutput, GradientBuffer gradients)
    {
        session.Backward(gradOutput, gradients);
        nextHidden.CopyTo(hidden, 0);
        nextCell.CopyTo(cell, 0);
    }

    /// <summary>Carries the final state of the window just run without a backward pass (e.g. during evaluation).</summary>
    public void Advance()
    {
        nextHidden.CopyTo(hidden, 0);
        nextCell.CopyTo(cell, 0);
    }

    /// <summary>
    /// Zeroes the carried state (a new stream begins), including the final state of the window
    /// just run, so a later <see cref="Advance"/> or <see cref="Backward"/> carries zeros.
    /// </summary>
    public void ResetState()
    {
        Array.Clear(hidden);
        Array.Clear(cell);
        Array.Clear(nextHidden);
        Array.Clear(nextCell);
    }
}

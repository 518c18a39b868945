using System;
using System.Threading;
using FastRnn.Cells;
using FastRnn.Kernels;
using FastRnn.Memory;

namespace FastRnn.Sessions;

/// <summary>
/// One caller's stream through a unidirectional network: it owns the hidden (and cell) state of
/// every layer and the step buffers, so <see cref="Step"/> allocates nothing. Sessions over one
/// network may run on many threads at once; one session serves one thread at a time (a second
/// concurrent call is detected and refused). A session with threads owns worker threads: dispose
/// it when done with it (a session never disposed lets them go when it is collected).
/// </summary>
public sealed class StreamingSession : IDisposable
{
    private readonly CellStack stack;         // the network's description and packed cells
    private readonly AlignedBuffer[] hidden;  // per layer [B, StateStride] the state
    private readonly AlignedBuffer[] spare;   // per layer [B, StateStride] where a step shared by units writes the new h; it then swaps with hidden (empty on one thread)
    private readonly AlignedBuffer[] cell;    // per layer [B, Hp] (LSTM)
    private readonly AlignedBuffer gates;     // [B, G*Hp]
    private readonly AlignedBuffer scratch;   // [B, ScratchPerRow]
    private readonly StepThreads?[] steps;    // per layer: shares its step by rows or output units; null with one thread or a layer too small to split
    private long stepCount;                   // steps taken: successive steps walk large weights in turn each way (AlternatingPanels)
    private CallGuard guard;

    internal StreamingSession(CellStack stack, int maxBatch, int threads = 1)
    {
        NetworkDescription d = stack.Description;
        if (d.Bidirectional)
        {
            throw new NotSupportedException("A bidirectional network needs the whole sequence (its reverse direction starts at the end); use RecurrentNetwork.Forward instead of a streaming session.");
        }

        if (d.Reverse)
        {
            throw new NotSupportedException("A reverse network needs the whole sequence (it starts at the end); use RecurrentNetwork.Forward instead of a streaming session.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threads, 64);
        long widest = Math.Max(d.InputSize, d.StateSize);
        foreach (CellWeights layer in stack.Cells)
        {
            widest = Math.Max(widest, Math.Max(layer.GateStride, layer.ScratchPerRow));
        }

        if ((long)maxBatch * widest > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(
                nameof(maxBatch), maxBatch, $"A session for batch {maxBatch} needs more than {int.MaxValue} floats in one buffer ({widest} a row); use a smaller batch.");
        }

        this.stack = stack;
        MaxBatch = maxBatch;
        Threads = threads;
        hidden = new AlignedBuffer[d.NumLayers];
        spare = new AlignedBuffer[d.NumLayers];
        cell = new AlignedBuffer[d.NumLayers];
        steps = new StepThreads?[d.NumLayers];

        // A layer whose step cannot pay for a split even at the largest batch never pays the hand-off's bookkeeping either.
        var shared = threads > 1 ? new StepThreads(new ParallelParts(threads)) : null;
        int gateStride = 0, scratchPerRow = 0;
        for (int layer = 0; layer < d.NumLayers; layer++)
        {
            CellWeights w = stack.Cells[layer];
            steps[layer] = shared is not null && (shared.PartsFor(w, maxBatch, withInput: true) > 1 || shared.RowPartsFor(w, maxBatch, withInput: true) > 1) ? shared : null;
            hidden[layer] = new AlignedBuffer(maxBatch * w.StateStride);
            spare[layer] = new AlignedBuffer(steps[layer] is not null ? maxBatch * w.StateStride : 0);
            cell[layer] = new AlignedBuffer(d.HasCellState ? maxBatch * w.PaddedUnits : 0);
            gateStride = Math.Max(gateStride, w.GateStride);
            scratchPerRow = Math.Max(scratchPerRow, w.ScratchPerRow);
        }

        gates = new AlignedBuffer(maxBatch * gateStride);
        scratch = new AlignedBuffer(maxBatch * scratchPerRow);
    }

    /// <summary>Largest batch per step.</summary>
    public int MaxBatch { get; }

    /// <summary>
    /// Threads a step may use: each layer's step is shared among them by batch rows (from 16 rows a
    /// thread: each thread the whole step of its rows) or else by output rows (products and epilogue),
    /// and a layer too small to pay for the hand-off runs on the calling thread alone (README, "Threads").
    /// </summary>
    public int Threads { get; }

    /// <summary>What the network this session runs is.</summary>
    public NetworkDescription Description => stack.Description;

    /// <summary>
    /// Consumes one time step for <paramref name="batch"/> streams (rows 0..batch-1 of the
    /// session's state) and writes the last layer's new hidden state. Rows batch..MaxBatch-1 do not
    /// step: they keep their state, so a step of 2 rows between steps of 4 leaves rows 2 and 3 as they were.
    /// </summary>
    /// <param name="input">[batch, I] this step's inputs.</param>
    /// <param name="batch">Streams in this step (1..MaxBatch).</param>
    /// <param name="output">[batch, H_out] the top layer's hidden state after the step.</param>
    public void Step(ReadOnlySpan<float> input, int batch, Span<float> output)
    {
        guard.ThrowIfDisposed(nameof(StreamingSession));
        NetworkDescription d = stack.Description;
        if (batch < 1 || batch > MaxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"Batch must be in 1..{MaxBatch} (the session's maximum).");
        }

        if (input.Length != batch * d.InputSize)
        {
            throw new ArgumentException($"Expected input [{batch}, {d.InputSize}] = {batch * d.InputSize} floats, got {input.Length}.", nameof(input));
        }

        if (output.Length != batch * d.StateSize)
        {
            throw new ArgumentException($"Expected output [{batch}, {d.StateSize}] = {batch * d.StateSize} floats, got {output.Length}.", nameof(output));
        }

        // Split by rows, a thread writes its rows' outputs while another still reads its own rows' inputs.
        OverlapCheck.DisjointOrSame(input, nameof(input), output, nameof(output));
        Enter();
        try
        {
            ReadOnlySpan<float> x = input;
            int xStride = d.InputSize;
            for (int layer = 0; layer < d.NumLayers; layer++)
            {
                CellWeights w = stack.Cells[layer];
                Span<float> g = gates.Span[..(batch * w.GateStride)];
                Span<float> h = hidden[layer].Span;
                Span<float> top = layer == d.NumLayers - 1 ? output : default; // [batch, H_out] the session's output

                // The new h may stay in the spare buffer when every row stepped (rows that sit out keep theirs in hidden).
                if (StepThreads.Forward(
                    steps[layer], w, x, xStride, g, h, cell[layer].Span, spare[layer].Span, batch == MaxBatch, StepBuffers.FromScratch(w, scratch.Span, batch), batch, top,
                    d.StateSize, stepCount))
                {
                    (hidden[layer], spare[layer]) = (spare[layer], hidden[layer]);
                }

                x = hidden[layer].Span;
                xStride = w.StateStride;
            }

            stepCount++;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Sets every stream's state to zero.</summary>
    public void Reset()
    {
        Enter();
        try
        {
            foreach (AlignedBuffer buffer in hidden)
            {
                buffer.Span.Clear();
            }

            foreach (AlignedBuffer buffer in cell)
            {
                buffer.Span.Clear();
            }
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Sets the state of streams 0..batch-1; the session's other rows keep theirs.</summary>
    /// <param name="hiddenState">[L, batch, H_out].</param>
    /// <param name="cellState">[L, batch, H] for LSTM, else empty (empty for LSTM means zeros).</param>
    /// <param name="batch">Streams.</param>
    public void SetState(ReadOnlySpan<float> hiddenState, ReadOnlySpan<float> cellState, int batch)
    {
        guard.ThrowIfDisposed(nameof(StreamingSession));
        CheckState(hiddenState.Length, cellState.Length, batch, nameof(hiddenState), nameof(cellState));
        Enter();
        try
        {
            NetworkDescription d = stack.Description;
            for (int layer = 0; layer < d.NumLayers; layer++)
            {
                CellWeights w = stack.Cells[layer];
                for (int b = 0; b < batch; b++)
                {
                    Span<float> h = hidden[layer].Span.Slice(b * w.StateStride, w.StateStride);
                    h.Clear();
                    hiddenState.Slice(((layer * batch) + b) * d.StateSize, d.StateSize).CopyTo(h);
                    if (d.HasCellState)
                    {
                        Span<float> c = cell[layer].Span.Slice(b * w.PaddedUnits, w.PaddedUnits);
                        c.Clear();
                        if (!cellState.IsEmpty)
                        {
                            cellState.Slice(((layer * batch) + b) * d.HiddenSize, d.HiddenSize).CopyTo(c);
                        }
                    }
                }
            }
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Copies out the state of streams 0..batch-1.</summary>
    /// <param name="hiddenState">[L, batch, H_out].</param>
    /// <param name="cellState">[L, batch, H] for LSTM, else empty.</param>
    /// <param name="batch">Streams.</param>
    public void GetState(Span<float> hiddenState, Span<float> cellState, int batch)
    {
        guard.ThrowIfDisposed(nameof(StreamingSession));
        CheckState(hiddenState.Length, cellState.Length, batch, nameof(hiddenState), nameof(cellState));
        NetworkDescription d = stack.Description;
        if (d.HasCellState && cellState.IsEmpty)
        {
            throw new ArgumentException($"Expected cell state [{d.NumLayers}, {batch}, {d.HiddenSize}] for an LSTM.", nameof(cellState));
        }

        OverlapCheck.Disjoint(hiddenState, nameof(hiddenState), cellState, nameof(cellState));
        Enter();
        try
        {
            for (int layer = 0; layer < d.NumLayers; layer++)
            {
                CellWeights w = stack.Cells[layer];
                for (int b = 0; b < batch; b++)
                {
                    hidden[layer].Span.Slice(b * w.StateStride, d.StateSize).CopyTo(hiddenState.Slice(((layer * batch) + b) * d.StateSize));
                    if (d.HasCellState)
                    {
                        cell[layer].Span.Slice(b * w.PaddedUnits, d.HiddenSize).CopyTo(cellState.Slice(((layer * batch) + b) * d.HiddenSize));
                    }
                }
            }
        }
        finally
        {
            Exit();
        }
    }

    private void CheckState(int hiddenLength, int cellLength, int batch, string hiddenName, string cellName)
    {
        NetworkDescription d = stack.Description;
        if (batch < 1 || batch > MaxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"Batch must be in 1..{MaxBatch} (the session's maximum).");
        }

        if (hiddenLength != d.NumLayers * batch * d.StateSize)
        {
            throw new ArgumentException($"Expected hidden state [{d.NumLayers}, {batch}, {d.StateSize}] = {d.NumLayers * batch * d.StateSize} floats, got {hiddenLength}.", hiddenName);
        }

        if (cellLength != 0 && (!d.HasCellState || cellLength != d.NumLayers * batch * d.HiddenSize))
        {
            throw new ArgumentException(d.HasCellState
                ? $"Expected cell state [{d.NumLayers}, {batch}, {d.HiddenSize}] = {d.NumLayers * batch * d.HiddenSize} floats, got {cellLength}."
                : $"A {d.Kind} network has no cell state; pass an empty span.",
                cellName);
        }
    }

    /// <summary>How the session's threads share the rows of a step split by rows (tests); null when no layer's step is ever split.</summary>
    internal PartBalance? RowBalance => Shared?.Balance;

    /// <summary>
    /// Stops the session's worker threads (with <see cref="Threads"/> above 1; they exit within about 100 µs) and refuses later
    /// calls with <see cref="ObjectDisposedException"/>. Idempotent. Disposing while a call runs on
    /// another thread refuses new calls at once and waits for that call to return.
    /// </summary>
    public void Dispose()
    {
        if (guard.Dispose())
        {
            StopThreads();
        }
    }

    /// <summary>The worker threads of the session's steps, or null when no layer's step is ever split (tests).</summary>
    internal ParallelParts? Workers => Shared?.Workers;

    // The one runner every split layer shares, or null when no layer's step is ever split.
    private StepThreads? Shared
    {
        get
        {
            foreach (StepThreads? layer in steps)
            {
                if (layer is not null)
                {
                    return layer;
                }
            }

            return null;
        }
    }

    /// <summary>Marks the session busy; a second caller is refused until <see cref="Exit"/>, and every call once disposed (internal so tests can hold it busy).</summary>
    internal void Enter() => guard.Enter(nameof(StreamingSession), "This session is already in use by another thread; give each thread its own session.");

    /// <summary>Marks the session free again.</summary>
    internal void Exit() => guard.Exit();

    private void StopThreads() => Shared?.Stop();
}

using System;
using FastRnn.Heads;
using FastRnn.Networks;
using FastRnn.Sessions;

namespace FastRnn.Serving;

/// <summary>
/// Steps the states of chosen slots as one batch: gathers them into the rows of one streaming
/// session (<see cref="StreamingSession.SetState"/>), runs one <see cref="StreamingSession.Step"/>
/// and leaves them there. The copies are O(B·L·H), small beside the step's O(B·L·G·H·(I+H))
/// products, and keep the engine on the core's public API. With several threads the session shares
/// each step by output rows (every thread its units of every row, its slice of the weights in its
/// own cache), so a lone stream gains from them too; rows are independent in every kernel and the
/// split is bit-identical, so a row's result is the same in any batch, position or thread count.
/// With a head, the batch's outputs pass through it in one call after the step; the head, too,
/// computes every row on its own. Guarded by the batcher's lock: one run at a time.
/// </summary>
/// <remarks>
/// The states of the last run's slots stay in the session (resident) instead of being scattered:
/// when the next run steps the same slots in the same rows (a lone stream, or a caller that steps
/// the same streams each tick), it skips both copies and costs what the session's own step costs.
/// Resident states are the authoritative ones: <see cref="FlushAll"/> writes them back before
/// anyone else reads or replaces a slot's state.
/// </remarks>
internal sealed class BatchEngine : IDisposable
{
    private readonly SlotTable slots;
    private readonly StreamingSession session;    // up to MaxBatch rows, the batcher's threads
    private readonly float[] hidden;              // [L, MaxBatch, H_out] gathered states of the rows
    private readonly float[] cell;                // [L, MaxBatch, H] (LSTM), else empty
    private readonly float[] input;               // [MaxBatch, I] staged rows of a step
    private readonly float[] output;              // [MaxBatch, H_out] staged results of a step
    private readonly float[] headed;              // [MaxBatch, C] the head's results of a step, or empty without a head
    private readonly DenseHead? head;
    private readonly int[] rowSlots;              // [MaxBatch] the slot of each row
    private readonly int[] resident;              // [MaxBatch] slots whose states live in the session's rows
    private int residentCount;                    // rows of the session holding resident states
    private readonly int layers, inputSize, stateSize, hiddenSize, outputSize;
    private readonly bool hasCell;

    public BatchEngine(RecurrentNetwork network, DenseHead? head, SlotTable slots, int maxBatch, int threads)
    {
        NetworkDescription d = network.Description;
        this.slots = slots;
        layers = d.NumLayers;
        inputSize = d.InputSize;
        stateSize = d.StateSize;
        hiddenSize = d.HiddenSize;
        hasCell = d.HasCellState;
        this.head = head;
        outputSize = head?.OutputSize ?? stateSize;
        session = network.CreateSession(maxBatch, threads);
        hidden = new float[layers * maxBatch * stateSize];
        cell = new float[hasCell ? layers * maxBatch * hiddenSize : 0];
        input = new float[maxBatch * inputSize];
        output = new float[maxBatch * stateSize];
        headed = new float[head is null ? 0 : maxBatch * outputSize];
        rowSlots = new int[maxBatch];
        resident = new int[maxBatch];
    }

    /// <summary>The session whose rows the engine steps (tests).</summary>
    public StreamingSession Session => session;

    /// <summary>Ends the session's worker threads; the engine runs no more.</summary>
    public void Dispose() => session.Dispose();

    /// <summary>[MaxBatch] the slot each row of the next run steps; filled by the caller.</summary>
    public int[] RowSlots => rowSlots;

    /// <summary>[I] the staged input of a row, for <see cref="RunStaged"/>.</summary>
    public Span<float> InputRow(int row) => input.AsSpan(row * inputSize, inputSize);

    /// <summary>[O] the staged result of a row after <see cref="RunStaged"/>: the head's output [C] with a head, else the top layer's [H_out].</summary>
    public ReadOnlySpan<float> OutputRow(int row) =>
        head is null ? output.AsSpan(row * stateSize, stateSize) : headed.AsSpan(row * outputSize, outputSize);

    /// <summary>Steps rows 0..batch-1 from the caller's inputs [batch, I] into its outputs [batch, O] (O = C with a head, else H_out).</summary>
    public void Run(ReadOnlySpan<float> x, Span<float> y, int batch)
    {
        if (head is null)
        {
            Step(x, y, batch);
            return;
        }

        Span<float> states = output.AsSpan(0, batch * stateSize); // [batch, H_out], the head's input
        Step(x, states, batch);
        head.Apply(states, batch, y);
    }

    /// <summary>Steps rows 0..batch-1 from the staged inputs into the staged outputs (through the head, if any).</summary>
    public void RunStaged(int batch)
    {
        Step(input.AsSpan(0, batch * inputSize), output.AsSpan(0, batch * stateSize), batch);
        head?.Apply(output.AsSpan(0, batch * stateSize), batch, headed.AsSpan(0, batch * outputSize));
    }

    /// <summary>
    /// One throwaway step of rows 0..batch-1 on zero inputs, through the head if any, for the JIT's
    /// sake: the states of the streams are written back first and no row is left resident, so the
    /// next real step gathers its streams' states again and no stream sees this step.
    /// </summary>
    public void WarmUpStep(int batch)
    {
        FlushAll();
        session.Reset(); // zero states each time: a long warm-up of a ReLU RNN must not run on overflowing values
        input.AsSpan(0, batch * inputSize).Clear();
        session.Step(input.AsSpan(0, batch * inputSize), batch, output.AsSpan(0, batch * stateSize));
        head?.Apply(output.AsSpan(0, batch * stateSize), batch, headed.AsSpan(0, batch * outputSize));
    }

    /// <summary>Writes the resident states back to their slots; called before a slot's state is read or replaced outside a step.</summary>
    public void FlushAll()
    {
        if (residentCount == 0)
        {
            return;
        }

        int count = residentCount;
        residentCount = 0;
        Span<float> h = hidden.AsSpan(0, layers * count * stateSize);               // [L, count, H_out]
        Span<float> c = cell.AsSpan(0, hasCell ? layers * count * hiddenSize : 0); // [L, count, H]
        session.GetState(h, c, count);
        Scatter(resident.AsSpan(0, count), h, c);
    }

    /// <summary>One step of the rows' slots; their states stay in the session for the next run.</summary>
    private void Step(ReadOnlySpan<float> x, Span<float> y, int count)
    {
        ReadOnlySpan<int> rows = rowSlots.AsSpan(0, count);
        if (!(residentCount == count && rows.SequenceEqual(resident.AsSpan(0, count))))
        {
            FlushAll();
            Span<float> h = hidden.AsSpan(0, layers * count * stateSize);               // [L, count, H_out]
            Span<float> c = cell.AsSpan(0, hasCell ? layers * count * hiddenSize : 0); // [L, count, H]
            Gather(rows, h, c);
            session.SetState(h, c, count);
            rows.CopyTo(resident);
            residentCount = count;
        }

        session.Step(x, count, y);
    }

    /// <summary>Copies the slots' states into session layout: h [L, n, H_out], c [L, n, H] (LSTM).</summary>
    private void Gather(ReadOnlySpan<int> rows, Span<float> h, Span<float> c)
    {
        int count = rows.Length;
        for (int r = 0; r < count; r++)
        {
            Span<float> slotHidden = slots.HiddenOf(rows[r]), slotCell = slots.CellOf(rows[r]); // [L, H_out], [L, H]
            for (int layer = 0; layer < layers; layer++)
            {
                slotHidden.Slice(layer * stateSize, stateSize).CopyTo(h.Slice(((layer * count) + r) * stateSize));
                if (hasCell)
                {
                    slotCell.Slice(layer * hiddenSize, hiddenSize).CopyTo(c.Slice(((layer * count) + r) * hiddenSize));
                }
            }
        }
    }

    /// <summary>Copies states in session layout back to their slots.</summary>
    private void Scatter(ReadOnlySpan<int> rows, ReadOnlySpan<float> h, ReadOnlySpan<float> c)
    {
        int count = rows.Length;
        for (int r = 0; r < count; r++)
        {
            Span<float> slotHidden = slots.HiddenOf(rows[r]), slotCell = slots.CellOf(rows[r]);
            for (int layer = 0; layer < layers; layer++)
            {
                h.Slice(((layer * count) + r) * stateSize, stateSize).CopyTo(slotHidden.Slice(layer * stateSize));
                if (hasCell)
                {
                    c.Slice(((layer * count) + r) * hiddenSize, hiddenSize).CopyTo(slotCell.Slice(layer * hiddenSize));
                }
            }
        }
    }
}

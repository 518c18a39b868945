using System;
using FastRnn.Networks;
using FastRnn.Sessions;

namespace FastRnn.Serving;

/// <summary>
/// Steps the states of chosen slots as one batch: gathers them into a streaming session's rows
/// (<see cref="StreamingSession.SetState"/>), runs one <see cref="StreamingSession.Step"/> and
/// scatters the new states back. The copies are O(B·L·H), small beside the step's O(B·L·H·G·H)
/// products, and keep the engine on the core's public API. With several threads the rows are split
/// into parts, one session per part; rows are independent in every kernel, so a row's result is
/// the same in any part, batch or position. Guarded by the batcher's lock: one run at a time.
/// </summary>
internal sealed class BatchEngine
{
    private readonly SlotTable slots;
    private readonly StreamingSession[] sessions; // [parts] each for up to partRows rows
    private readonly float[][] hidden;            // [parts][L, Bp, H_out] gathered states of a part's rows
    private readonly float[][] cell;              // [parts][L, Bp, H] (LSTM), else empty
    private readonly float[] input;               // [MaxBatch, I] staged rows of a step
    private readonly float[] output;              // [MaxBatch, H_out] staged results of a step
    private readonly int[] rowSlots;              // [MaxBatch] the slot of each row
    private readonly PartRunner runner;
    private readonly int layers, inputSize, stateSize, hiddenSize;
    private readonly bool hasCell;
    private int batch, rowsPerPart;

    public BatchEngine(RecurrentNetwork network, SlotTable slots, int maxBatch, int threads)
    {
        NetworkDescription d = network.Description;
        this.slots = slots;
        layers = d.NumLayers;
        inputSize = d.InputSize;
        stateSize = d.StateSize;
        hiddenSize = d.HiddenSize;
        hasCell = d.HasCellState;
        int partRows = (maxBatch + threads - 1) / threads;
        sessions = new StreamingSession[threads];
        hidden = new float[threads][];
        cell = new float[threads][];
        for (int p = 0; p < threads; p++)
        {
            sessions[p] = network.CreateSession(partRows);
            hidden[p] = new float[layers * partRows * stateSize];
            cell[p] = new float[hasCell ? layers * partRows * hiddenSize : 0];
        }

        input = new float[maxBatch * inputSize];
        output = new float[maxBatch * stateSize];
        rowSlots = new int[maxBatch];
        runner = new PartRunner(threads, RunPart);
    }

    /// <summary>[MaxBatch] the slot each row of the next run steps; filled by the caller.</summary>
    public int[] RowSlots => rowSlots;

    /// <summary>[I] the staged input of a row, for <see cref="RunStaged"/>.</summary>
    public Span<float> InputRow(int row) => input.AsSpan(row * inputSize, inputSize);

    /// <summary>[H_out] the staged result of a row after <see cref="RunStaged"/>.</summary>
    public ReadOnlySpan<float> OutputRow(int row) => output.AsSpan(row * stateSize, stateSize);

    /// <summary>Steps rows 0..batch-1 from the caller's inputs [batch, I] into its outputs [batch, H_out].</summary>
    public void Run(ReadOnlySpan<float> x, Span<float> y, int batch)
    {
        if (runner.Count == 1 || batch == 1)
        {
            StepRows(0, 0, batch, x, y);
            return;
        }

        // Worker threads cannot take the caller's spans: stage them.
        x.CopyTo(input);
        RunStaged(batch);
        output.AsSpan(0, batch * stateSize).CopyTo(y);
    }

    /// <summary>Steps rows 0..batch-1 from the staged inputs into the staged outputs.</summary>
    public void RunStaged(int batch)
    {
        int parts = Math.Min(runner.Count, batch);
        this.batch = batch;
        rowsPerPart = (batch + parts - 1) / parts;
        runner.Run((batch + rowsPerPart - 1) / rowsPerPart);
    }

    private void RunPart(int part)
    {
        int start = part * rowsPerPart, count = Math.Min(rowsPerPart, batch - start);
        StepRows(part, start, count, input.AsSpan(start * inputSize, count * inputSize), output.AsSpan(start * stateSize, count * stateSize));
    }

    private void StepRows(int part, int start, int count, ReadOnlySpan<float> x, Span<float> y)
    {
        Span<float> h = hidden[part].AsSpan(0, layers * count * stateSize);     // [L, count, H_out]
        Span<float> c = cell[part].AsSpan(0, hasCell ? layers * count * hiddenSize : 0); // [L, count, H]
        for (int r = 0; r < count; r++)
        {
            int slot = rowSlots[start + r];
            Span<float> slotHidden = slots.HiddenOf(slot), slotCell = slots.CellOf(slot); // [L, H_out], [L, H]
            for (int layer = 0; layer < layers; layer++)
            {
                slotHidden.Slice(layer * stateSize, stateSize).CopyTo(h.Slice(((layer * count) + r) * stateSize));
                if (hasCell)
                {
                    slotCell.Slice(layer * hiddenSize, hiddenSize).CopyTo(c.Slice(((layer * count) + r) * hiddenSize));
                }
            }
        }

        StreamingSession session = sessions[part];
        session.SetState(h, c, count);
        session.Step(x, count, y);
        session.GetState(h, c, count);
        for (int r = 0; r < count; r++)
        {
            int slot = rowSlots[start + r];
            Span<float> slotHidden = slots.HiddenOf(slot), slotCell = slots.CellOf(slot);
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

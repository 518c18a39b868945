using System;
using FastRnn.Cells;
using FastRnn.Kernels;
using FastRnn.Memory;
using FastRnn.Networks;

namespace FastRnn.Layers;

/// <summary>
/// The whole-sequence forward pass: every layer and direction over the batch, PyTorch semantics.
/// </summary>
/// <remarks>
/// Rows are reordered by decreasing length once, on the way in, so at every step the sequences
/// still running are a prefix of the batch: each step's products and epilogue cover only those
/// rows (short sequences never pay for long ones, and full-length batches pay nothing), and the
/// reverse direction picks each sequence up at its own last step from its initial state.
/// </remarks>
internal static class SequenceForward
{
    public static void Run(
        RecurrentNetwork network,
        SequenceWorkspace ws,
        ReadOnlySpan<float> input,
        int steps,
        int batch,
        Span<float> output,
        Span<float> finalHidden,
        Span<float> finalCell,
        ReadOnlySpan<float> initialHidden,
        ReadOnlySpan<float> initialCell,
        ReadOnlySpan<int> lengths)
    {
        NetworkDescription d = network.Description;
        Validate(d, ws.MaxSteps, ws.MaxBatch, input, steps, batch, output, finalHidden, finalCell, initialHidden, initialCell, lengths);
        ws.Enter();
        try
        {
            SortByLength(ws.Order, ws.SortedLengths, ws.ActiveRows, lengths, steps, batch);
            GatherInput(d, ws.Order, ws.SortedLengths, input, ws.Input.Span, steps, batch);
            int layers = d.NumLayers, directions = d.Directions;
            for (int layer = 0; layer < layers; layer++)
            {
                AlignedBuffer layerInput = layer == 0 ? ws.Input : ws.LayerOutputs[(layer - 1) & 1];
                AlignedBuffer layerOutput = ws.LayerOutputs[layer & 1];
                for (int direction = 0; direction < directions; direction++)
                {
                    int slot = (layer * directions) + direction;
                    RunDirection(d, network.Cells[slot], ws, slot, direction, layerInput, layerOutput, steps, batch, initialHidden, initialCell, finalHidden, finalCell);
                }
            }

            ScatterOutput(d, ws.Order, ws.LayerOutputs[(layers - 1) & 1].Span, output, d.OutputSize, d.OutputSize, steps, batch);
        }
        finally
        {
            ws.Exit();
        }
    }

    private static void RunDirection(
        NetworkDescription d,
        CellWeights cell,
        SequenceWorkspace ws,
        int slot,
        int direction,
        AlignedBuffer layerInput,  // [T, B, In]
        AlignedBuffer layerOutput, // [T, B, D*H_out]
        int steps,
        int batch,
        ReadOnlySpan<float> initialHidden,
        ReadOnlySpan<float> initialCell,
        Span<float> finalHidden,
        Span<float> finalCell)
    {
        int stateSize = d.StateSize, hiddenSize = d.HiddenSize;
        int stateStride = cell.StateStride, hp = cell.PaddedUnits;
        Span<float> h = ws.Hidden.Span[..(batch * stateStride)]; // [B, StateStride]
        Span<float> c = ws.Cell.Span[..(batch * hp)];             // [B, Hp]
        LoadInitialState(h, stateStride, c, hp, slot, ws.Order, batch, stateSize, hiddenSize, initialHidden, initialCell);

        ws.CurrentCell = cell;
        ws.CurrentReverse = direction == 1 || d.Reverse;
        ws.CurrentInput = layerInput;
        ws.CurrentOutput = layerOutput;
        ws.CurrentColumn = direction * stateSize;
        ws.CurrentSteps = steps;
        ws.CurrentBatch = batch;

        // All input projections of the sequence in one product (written, not added: no pass to clear
        // [T, B, G*Hp] first), its panels shared among the threads.
        ws.CurrentParts = Math.Min(ws.Threads, cell.Input.Panels);
        ws.Parts.Run(ws.ProjectionPart, ws.CurrentParts);

        // Sequences are independent: each thread runs its range of (length-sorted) rows through every step.
        ws.CurrentParts = Math.Min(ws.Threads, batch);
        ws.Parts.Run(ws.RecurrencePart, ws.CurrentParts);

        StoreFinalState(h, stateStride, c, hp, slot, ws.Order, batch, stateSize, hiddenSize, finalHidden, finalCell);
    }

    /// <summary>Part <paramref name="part"/> of the current input product: a range of output panels for every row.</summary>
    internal static void ProjectionPart(SequenceWorkspace ws, int part)
    {
        CellWeights cell = ws.CurrentCell!;
        (int first, int end) = Range(cell.Input.Panels, ws.CurrentParts, part);
        int rows = ws.CurrentSteps * ws.CurrentBatch;
        PackedMatMul.MultiplyPanels(cell.Input, first, end, ws.CurrentInput!.Span, cell.InputSize, rows, ws.Gates.Span[..(rows * cell.GateStride)], cell.GateStride);
    }

    /// <summary>Part <paramref name="part"/> of the current recurrence: a range of sorted rows through every step.</summary>
    internal static void RecurrencePart(SequenceWorkspace ws, int part)
    {
        CellWeights cell = ws.CurrentCell!;
        int steps = ws.CurrentSteps, batch = ws.CurrentBatch;
        (int r0, int r1) = Range(batch, ws.CurrentParts, part);
        int stateStride = cell.StateStride, hp = cell.PaddedUnits, gateStride = cell.GateStride;
        int outputSize = ws.Network.Description.OutputSize, stateSize = cell.StateSize;
        Span<float> h = ws.Hidden.Span[(r0 * stateStride)..(r1 * stateStride)];
        Span<float> c = ws.Cell.Span[(r0 * hp)..(r1 * hp)];
        Span<float> gates = ws.Gates.Span;
        Span<float> layerOutput = ws.CurrentOutput!.Span;
        Span<float> scratch = ws.Scratch[part].Span;
        for (int k = 0; k < steps; k++)
        {
            int t = ws.CurrentReverse ? steps - 1 - k : k;
            int active = Math.Clamp(ws.ActiveRows[t] - r0, 0, r1 - r0);
            if (active > 0)
            {
                CellStep.Forward(cell, gates.Slice(((t * batch) + r0) * gateStride, active * gateStride), h, c, StepBuffers.FromScratch(cell, scratch, active), active);
            }

            WriteStepOutput(h, stateStride, layerOutput.Slice(((t * batch) + r0) * outputSize, (r1 - r0) * outputSize), outputSize, ws.CurrentColumn, stateSize, active, r1 - r0);
        }
    }

    // Part `part` of `count` equal contiguous shares of [0, total).
    private static (int First, int End) Range(int total, int count, int part) =>
        ((int)((long)total * part / count), (int)((long)total * (part + 1) / count));

    /// <summary>Copies the caller's h_0/c_0 of one layer-direction into the step state, in sorted row order (zeros when absent).</summary>
    internal static void LoadInitialState(Span<float> h, int stateStride, Span<float> c, int hp, int slot, int[] order, int batch, int stateSize, int hiddenSize, ReadOnlySpan<float> initialHidden, ReadOnlySpan<float> initialCell)
    {
        h.Clear();
        c.Clear();
        for (int s = 0; s < batch; s++)
        {
            if (!initialHidden.IsEmpty)
            {
                initialHidden.Slice(((slot * batch) + order[s]) * stateSize, stateSize).CopyTo(h.Slice(s * stateStride));
            }

            if (!initialCell.IsEmpty)
            {
                initialCell.Slice(((slot * batch) + order[s]) * hiddenSize, hiddenSize).CopyTo(c.Slice(s * hp));
            }
        }
    }

    /// <summary>Writes one step's h of the running rows into this direction's columns of the layer output; rows that ended get zeros.</summary>
    internal static void WriteStepOutput(ReadOnlySpan<float> h, int stateStride, Span<float> outStep, int outputSize, int column, int stateSize, int active, int batch)
    {
        for (int s = 0; s < active; s++)
        {
            h.Slice(s * stateStride, stateSize).CopyTo(outStep.Slice((s * outputSize) + column));
        }

        for (int s = active; s < batch; s++)
        {
            outStep.Slice((s * outputSize) + column, stateSize).Clear();
        }
    }

    /// <summary>Copies the final h (and c) of one layer-direction back to the caller's row order.</summary>
    internal static void StoreFinalState(ReadOnlySpan<float> h, int stateStride, ReadOnlySpan<float> c, int hp, int slot, int[] order, int batch, int stateSize, int hiddenSize, Span<float> finalHidden, Span<float> finalCell)
    {
        for (int s = 0; s < batch; s++)
        {
            if (!finalHidden.IsEmpty)
            {
                h.Slice(s * stateStride, stateSize).CopyTo(finalHidden.Slice(((slot * batch) + order[s]) * stateSize));
            }

            if (!finalCell.IsEmpty)
            {
                c.Slice(s * hp, hiddenSize).CopyTo(finalCell.Slice(((slot * batch) + order[s]) * hiddenSize));
            }
        }
    }

    /// <summary>Orders rows by decreasing length and counts the rows still running at each step.</summary>
    internal static void SortByLength(int[] order, int[] sorted, int[] activeRows, ReadOnlySpan<int> lengths, int steps, int batch)
    {
        for (int i = 0; i < batch; i++)
        {
            int length = lengths.IsEmpty ? steps : lengths[i];
            int j = i;
            // Insertion sort, stable and allocation-free; batches are small next to the work per row.
            while (j > 0 && sorted[j - 1] < length)
            {
                sorted[j] = sorted[j - 1];
                order[j] = order[j - 1];
                j--;
            }

            sorted[j] = length;
            order[j] = i;
        }

        int active = batch;
        for (int t = 0; t < steps; t++)
        {
            while (active > 0 && sorted[active - 1] <= t)
            {
                active--;
            }

            activeRows[t] = active;
        }
    }

    /// <summary>
    /// Copies [T, B, F] (or [B, T, F]) rows into time-major sorted order; padded positions become
    /// zero so that nothing a caller leaves there (even NaN) reaches any product.
    /// </summary>
    internal static void GatherInput(NetworkDescription d, int[] order, int[] sorted, ReadOnlySpan<float> input, Span<float> target, int steps, int batch)
    {
        int size = d.InputSize;
        GatherRows(d.BatchFirst, order, sorted, input, size, target, size, steps, batch);
    }

    /// <summary>Gathers rows of <paramref name="size"/> features into a time-major sorted buffer with row stride <paramref name="stride"/>, zeroing padded positions.</summary>
    internal static void GatherRows(bool batchFirst, int[] order, int[] sorted, ReadOnlySpan<float> source, int size, Span<float> target, int stride, int steps, int batch)
    {
        for (int t = 0; t < steps; t++)
        {
            for (int s = 0; s < batch; s++)
            {
                Span<float> row = target.Slice(((t * batch) + s) * stride, size);
                if (t >= sorted[s])
                {
                    row.Clear();
                    continue;
                }

                int from = order[s];
                from = batchFirst ? ((from * steps) + t) * size : ((t * batch) + from) * size;
                source.Slice(from, size).CopyTo(row);
            }
        }
    }

    /// <summary>Copies time-major sorted rows (stride <paramref name="stride"/>) back to the caller's layout.</summary>
    internal static void ScatterOutput(NetworkDescription d, int[] order, ReadOnlySpan<float> source, Span<float> output, int size, int stride, int steps, int batch)
    {
        for (int t = 0; t < steps; t++)
        {
            for (int s = 0; s < batch; s++)
            {
                int row = order[s];
                int to = d.BatchFirst ? ((row * steps) + t) * size : ((t * batch) + row) * size;
                source.Slice(((t * batch) + s) * stride, size).CopyTo(output.Slice(to));
            }
        }
    }

    internal static void Validate(
        NetworkDescription d,
        int maxSteps,
        int maxBatch,
        ReadOnlySpan<float> input,
        int steps,
        int batch,
        Span<float> output,
        Span<float> finalHidden,
        Span<float> finalCell,
        ReadOnlySpan<float> initialHidden,
        ReadOnlySpan<float> initialCell,
        ReadOnlySpan<int> lengths)
    {
        if (steps < 1 || steps > maxSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"Steps must be in 1..{maxSteps} (the workspace's maximum).");
        }

        if (batch < 1 || batch > maxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"Batch must be in 1..{maxBatch} (the workspace's maximum).");
        }

        // Messages are built only on failure: a successful call must not allocate.
        int slots = d.NumLayers * d.Directions;
        int hidden = slots * batch * d.StateSize;
        int cell = slots * batch * d.HiddenSize;
        if (input.Length != steps * batch * d.InputSize)
        {
            ThrowShape(d, "input", d.InputSize, steps, batch, input.Length, nameof(input));
        }

        if (output.Length != steps * batch * d.OutputSize)
        {
            ThrowShape(d, "output", d.OutputSize, steps, batch, output.Length, nameof(output));
        }

        if (!initialHidden.IsEmpty && initialHidden.Length != hidden)
        {
            ThrowState("initial hidden state", slots, batch, d.StateSize, initialHidden.Length, nameof(initialHidden));
        }

        if (!finalHidden.IsEmpty && finalHidden.Length != hidden)
        {
            ThrowState("final hidden state", slots, batch, d.StateSize, finalHidden.Length, nameof(finalHidden));
        }

        if (!d.HasCellState && (!initialCell.IsEmpty || !finalCell.IsEmpty))
        {
            throw new ArgumentException($"A {d.Kind} network has no cell state; pass empty cell spans.");
        }

        if (!initialCell.IsEmpty && initialCell.Length != cell)
        {
            ThrowState("initial cell state", slots, batch, d.HiddenSize, initialCell.Length, nameof(initialCell));
        }

        if (!finalCell.IsEmpty && finalCell.Length != cell)
        {
            ThrowState("final cell state", slots, batch, d.HiddenSize, finalCell.Length, nameof(finalCell));
        }

        // The input is copied into the workspace before anything is written, so it may share memory
        // with anything. Outputs are written while initial states are still read (layer by layer),
        // so they must not share memory, except an initial state given as its own final state
        // (each slot is read before the same slot is written).
        OverlapCheck.Disjoint(output, nameof(output), finalHidden, nameof(finalHidden));
        OverlapCheck.Disjoint(output, nameof(output), finalCell, nameof(finalCell));
        OverlapCheck.Disjoint(finalHidden, nameof(finalHidden), finalCell, nameof(finalCell));
        OverlapCheck.Disjoint(initialHidden, nameof(initialHidden), output, nameof(output));
        OverlapCheck.Disjoint(initialCell, nameof(initialCell), output, nameof(output));
        OverlapCheck.DisjointOrSame(initialHidden, nameof(initialHidden), finalHidden, nameof(finalHidden));
        OverlapCheck.Disjoint(initialHidden, nameof(initialHidden), finalCell, nameof(finalCell));
        OverlapCheck.Disjoint(initialCell, nameof(initialCell), finalHidden, nameof(finalHidden));
        OverlapCheck.DisjointOrSame(initialCell, nameof(initialCell), finalCell, nameof(finalCell));
        if (!lengths.IsEmpty)
        {
            if (lengths.Length != batch)
            {
                throw new ArgumentException($"Expected lengths [{batch}], got {lengths.Length} values.", nameof(lengths));
            }

            for (int i = 0; i < lengths.Length; i++)
            {
                if (lengths[i] < 1 || lengths[i] > steps)
                {
                    throw new ArgumentOutOfRangeException(nameof(lengths), lengths[i], $"lengths[{i}] = {lengths[i]}; each length must be in 1..{steps} (the number of steps).");
                }
            }
        }
    }

    internal static void ThrowShape(NetworkDescription d, string what, int features, int steps, int batch, int actual, string parameter)
    {
        string shape = d.BatchFirst ? $"[{batch}, {steps}, {features}]" : $"[{steps}, {batch}, {features}]";
        throw new ArgumentException($"Expected {what} {shape} = {steps * batch * features} floats, got {actual}.", parameter);
    }

    internal static void ThrowState(string what, int slots, int batch, int size, int actual, string parameter) =>
        throw new ArgumentException($"Expected {what} [{slots}, {batch}, {size}] = {slots * batch * size} floats, got {actual}.", parameter);
}

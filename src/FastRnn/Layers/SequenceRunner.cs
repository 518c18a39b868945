using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastRnn.Cells;
using FastRnn.Kernels;
using FastRnn.Memory;

namespace FastRnn.Layers;

/// <summary>
/// The whole-sequence forward pass with PyTorch semantics, every layer and direction over a batch,
/// for inference and training alike: <typeparamref name="THistory"/> says where a step's buffers
/// live and what is kept for backward.
/// </summary>
/// <remarks>
/// Per layer-direction: all input products of the sequence in one product, split among the threads
/// by output panels; then the recurrence, split by (length-sorted, see <see cref="RowOrder"/>) rows,
/// each part running its rows through every step; with fewer rows than threads (one stream) the
/// caller runs the steps and the threads share each step by output rows instead.
/// Rows are independent and every sum keeps its order, so a row's result depends neither on the
/// rest of the batch nor on the thread count.
/// </remarks>
/// <typeparam name="THistory">What the run keeps besides its output (a struct: one compiled runner per kind).</typeparam>
internal sealed class SequenceRunner<THistory>
    where THistory : struct, IForwardHistory
{
    private readonly CellStack network;
    private readonly THistory history;
    private readonly Action<int> projectionPart;
    private readonly Action<int> recurrencePart;
    private readonly Action<int> sharedStepPart;

    /// <summary>Sizes the runner's own buffers; the caller has checked that they fit in an int.</summary>
    public SequenceRunner(CellStack network, int maxBatch, int maxSteps, int threads, THistory history)
    {
        this.network = network;
        this.history = history;
        MaxBatch = maxBatch;
        MaxSteps = maxSteps;
        int stateStride = 0, paddedUnits = 0;
        foreach (CellWeights cell in network.Cells)
        {
            stateStride = Math.Max(stateStride, cell.StateStride);
            paddedUnits = Math.Max(paddedUnits, cell.PaddedUnits);
        }

        Rows = new RowOrder(maxBatch, maxSteps);
        Input = new AlignedBuffer(checked(maxBatch * maxSteps * network.Description.InputSize));
        Hidden = new AlignedBuffer(maxBatch * stateStride);
        Cell = new AlignedBuffer(maxBatch * paddedUnits);

        // Steps are shared by output rows only with fewer rows than threads.
        int sharedRows = Math.Min(maxBatch, threads - 1);
        HiddenNext = new AlignedBuffer(sharedRows * stateStride);
        CellNext = new AlignedBuffer(sharedRows * paddedUnits);
        Region = new SequenceRegion(threads);
        projectionPart = ProjectionPart;
        recurrencePart = Recurrence;
        sharedStepPart = SharedSteps;
    }

    public int MaxBatch { get; }

    public int MaxSteps { get; }

    public RowOrder Rows { get; }

    public AlignedBuffer Input { get; }     // [T, B, I] time-major, rows in sorted order, padded positions zero

    public AlignedBuffer Hidden { get; }    // [B, StateStride] h of the layer-direction running

    public AlignedBuffer Cell { get; }      // [B, Hp] c of the layer-direction running (LSTM)

    public AlignedBuffer HiddenNext { get; } // [B < threads, StateStride] a shared step's new h, apart from Hidden (they alternate)

    public AlignedBuffer CellNext { get; }   // [B < threads, Hp] a shared step's new c, apart from Cell

    public SequenceRegion Region { get; }

    /// <summary>Runs the network over the batch; arguments and shapes as <c>RecurrentNetwork.Forward</c>.</summary>
    public unsafe void Forward(
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
        SequenceArguments.Validate(d, MaxSteps, MaxBatch, input, steps, batch, output, finalHidden, finalCell, initialHidden, initialCell, lengths);
        Rows.Sort(lengths, steps, batch);

        // Time-major rows that all run every step are already in the runner's order: the first layer
        // reads the caller's input and the last writes the caller's output, saving a copy of each
        // (unless they share memory: a later direction or layer would read what an earlier one wrote,
        // the output or the final state of a direction already run).
        bool inPlace = history.MayUseCallerRows && !d.BatchFirst && Rows.AllRunEveryStep(steps, batch)
            && !input.Overlaps(output) && !input.Overlaps(finalHidden) && !input.Overlaps(finalCell);
        if (!inPlace)
        {
            Rows.Gather(d.BatchFirst, input, d.InputSize, Input.Span, d.InputSize, steps, batch);
        }

        fixed (float* callerInput = input)
        fixed (float* callerOutput = output)
        {
            for (int layer = 0; layer < d.NumLayers; layer++)
            {
                bool last = layer == d.NumLayers - 1;
                PinnedFloats layerInput = layer > 0 ? history.LayerOutput(layer - 1).Pinned
                    : inPlace ? new PinnedFloats(callerInput, input.Length) : Input.Pinned;
                PinnedFloats layerOutput = last && inPlace ? new PinnedFloats(callerOutput, output.Length) : history.LayerOutput(layer).Pinned;
                for (int direction = 0; direction < d.Directions; direction++)
                {
                    int slot = (layer * d.Directions) + direction;
                    RunDirection(d, slot, direction, layerInput, layerOutput, steps, batch, initialHidden, initialCell, finalHidden, finalCell);
                }

                history.AfterLayer(layer, layerOutput.Span[..(steps * batch * d.OutputSize)]);
            }

            Region.Release();
        }

        if (!inPlace)
        {
            Rows.Scatter(d.BatchFirst, history.LayerOutput(d.NumLayers - 1).Span, d.OutputSize, output, d.OutputSize, steps, batch);
        }
    }

    private void RunDirection(
        NetworkDescription d,
        int slot,
        int direction,
        PinnedFloats layerInput,  // [T, B, In]
        PinnedFloats layerOutput, // [T, B, D*H_out]
        int steps,
        int batch,
        ReadOnlySpan<float> initialHidden,
        ReadOnlySpan<float> initialCell,
        Span<float> finalHidden,
        Span<float> finalCell)
    {
        CellWeights cell = network.Cells[slot];
        Span<float> h = Hidden.Span[..(batch * cell.StateStride)]; // [B, StateStride]
        Span<float> c = Cell.Span[..(batch * cell.PaddedUnits)];    // [B, Hp]
        Rows.LoadState(cell, slot, batch, initialHidden, initialCell, h, c);
        Region.Set(d, cell, slot, direction, layerInput, history.Gates(slot), layerOutput, steps, batch);

        // Sequences are independent: each part runs its range of (length-sorted) rows through every
        // step. With fewer rows than threads (one stream), every part runs every step instead, each
        // its share of the output rows, when the step is large enough to pay for the split.
        int shares = batch >= Region.Threads ? 1 : StepThreads.SequencePartsFor(cell, batch, Region.Threads);

        // All input projections of the sequence in one product (written, not added: no pass to clear
        // [T, B, G*Hp] first), its panels shared among the threads. Not when one stream's steps stay
        // on this thread: it would then read back, every step, gates another core wrote, for a product
        // that is small beside the recurrence (T rows); on the AMD Zen 5 of perf-results such sequences
        // at H = 128 ran 0.91-0.98x of one thread in some runs, and a call must never get slower by
        // adding threads.
        Region.Run(projectionPart, batch < Region.Threads && shares < 2 ? 1 : cell.Input.Panels);

        if (shares < 2)
        {
            Region.Run(recurrencePart, batch);
        }
        else
        {
            Region.Run(sharedStepPart, shares);
        }

        Rows.StoreState(cell, slot, batch, h, c, finalHidden, finalCell);
    }

    // A part of the input product: a range of output panels for every row.
    private void ProjectionPart(int part)
    {
        SequenceRegion r = Region;
        CellWeights cell = r.Cell;
        (int first, int end) = r.Share(cell.Input.Panels, part);
        int rows = r.Steps * r.Batch;
        PackedMatMul.MultiplyPanels(cell.Input, first, end, r.Input.Span, cell.InputSize, rows, r.Gates.Span[..(rows * cell.GateStride)], cell.GateStride, PanelOrder.Ascending);
    }

    // A part of the recurrence: a range of sorted rows through every step, on this thread alone.
    private void Recurrence(int part)
    {
        SequenceRegion r = Region;
        CellWeights cell = r.Cell;
        int steps = r.Steps, batch = r.Batch, slot = r.Slot, column = r.Column;
        (int r0, int r1) = r.Share(batch, part);
        int n = r1 - r0;
        int ss = cell.StateStride, hp = cell.PaddedUnits, gs = cell.GateStride;
        int outputSize = r.Description.OutputSize;
        Span<float> h = Hidden.Span[(r0 * ss)..(r1 * ss)]; // [n, StateStride] this part's rows
        Span<float> c = Cell.Span[(r0 * hp)..(r1 * hp)];   // [n, Hp]
        Span<float> gates = r.Gates.Span;                  // [T, B, G*Hp]
        Span<float> layerOutput = r.Output.Span;           // [T, B, D*H_out]
        for (int k = 0; k < steps; k++)
        {
            int t = r.Reverse ? steps - 1 - k : k;
            int active = Rows.ActiveIn(t, r0, n);
            int at = (t * batch) + r0; // this part's first row at step t
            history.BeforeStep(cell, slot, at, h, c);
            if (active > 0)
            {
                StepShare whole = StepShare.Whole.InStep(cell, withInput: false, k);
                CellStep.Forward(cell, default, 0, gates.Slice(at * gs, active * gs), new StepState(h, c), history.Buffers(cell, slot, part, at, active), active, whole);
            }

            history.AfterStep(cell, slot, at, c);
            WriteStepOutput(h, ss, layerOutput.Slice(at * outputSize, n * outputSize), outputSize, column, cell.StateSize, active, n);
        }
    }

    // A share of every step of every row (fewer rows than threads): the parts stay in one region for the
    // whole sequence and meet at one barrier per step (h whole before the next products), instead of a
    // hand-off and a join per step. The state alternates between two buffers, so no epilogue overwrites
    // the h the other parts' products read or the h and c part 0 keeps for the history: part 0 alone
    // keeps the history and writes the output, before its products and after the barrier, while the
    // others may already run the next step into the other buffers. A step in which some rows have
    // ended runs in place (the ended rows keep their state), with the step's own barrier.
    // Every part uses part 0's step buffers: the step is one step.
    private void SharedSteps(int part)
    {
        SequenceRegion r = Region;
        CellWeights cell = r.Cell;
        StepShare share = r.StepShare(part);
        int steps = r.Steps, batch = r.Batch, slot = r.Slot, column = r.Column;
        int ss = cell.StateStride, hp = cell.PaddedUnits, gs = cell.GateStride;
        int outputSize = r.Description.OutputSize;
        Span<float> h = Hidden.Span[..(batch * ss)];          // [B, StateStride] the state entering the step
        Span<float> c = Cell.Span[..(batch * hp)];            // [B, Hp]
        Span<float> hNext = HiddenNext.Span[..(batch * ss)];  // [B, StateStride] the other buffer
        Span<float> cNext = CellNext.Span[..(batch * hp)];    // [B, Hp]
        Span<float> gates = r.Gates.Span;                     // [T, B, G*Hp]
        Span<float> layerOutput = r.Output.Span;              // [T, B, D*H_out]
        for (int k = 0; k < steps; k++)
        {
            int t = r.Reverse ? steps - 1 - k : k;
            int active = Rows.ActiveIn(t, 0, batch);
            int at = t * batch;
            if (part == 0)
            {
                history.BeforeStep(cell, slot, at, h, c);
            }

            Span<float> stepGates = gates.Slice(at * gs, active * gs);
            StepShare inStep = share.InStep(cell, withInput: false, k);
            if (active == batch)
            {
                CellStep.Forward(cell, default, 0, stepGates, new StepState(h, c, hNext, cNext), history.Buffers(cell, slot, 0, at, active), active, inStep);
                Span<float> swap = h;
                h = hNext;
                hNext = swap;
                swap = c;
                c = cNext;
                cNext = swap;
            }
            else if (active > 0)
            {
                CellStep.Forward(cell, default, 0, stepGates, new StepState(h[..(active * ss)], c[..(active * hp)]), history.Buffers(cell, slot, 0, at, active), active, inStep);
            }

            share.Barrier();
            if (part == 0)
            {
                history.AfterStep(cell, slot, at, c);
                WriteStepOutput(h, ss, layerOutput.Slice(at * outputSize, batch * outputSize), outputSize, column, cell.StateSize, active, batch);
            }
        }

        // Rows.StoreState reads the final state from Hidden and Cell.
        if (part == 0 && !Unsafe.AreSame(ref MemoryMarshal.GetReference(h), ref MemoryMarshal.GetReference(Hidden.Span)))
        {
            h.CopyTo(Hidden.Span);
            c.CopyTo(Cell.Span);
        }
    }

    // One step's h of the running rows into this direction's columns of the layer output; rows that ended get zeros.
    private static void WriteStepOutput(ReadOnlySpan<float> h, int stateStride, Span<float> outStep, int outputSize, int column, int stateSize, int active, int rows)
    {
        for (int s = 0; s < active; s++)
        {
            h.Slice(s * stateStride, stateSize).CopyTo(outStep.Slice((s * outputSize) + column));
        }

        for (int s = active; s < rows; s++)
        {
            outStep.Slice((s * outputSize) + column, stateSize).Clear();
        }
    }
}

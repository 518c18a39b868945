using System;
using System.Numerics.Tensors;
using FastRnn.Cells;
using FastRnn.Layers;
using FastRnn.Memory;
using FastRnn.Networks;

namespace FastRnn.Training;

/// <summary>
/// Backpropagation through time over whole sequences, after a forward run of the workspace's
/// <see cref="TrainingWorkspace.Runner"/>: layer by layer from the top and step by step back in time.
/// </summary>
/// <remarks>
/// Rows are kept in the forward run's length order (<see cref="RowOrder"/>), so each step's backward
/// work covers only the sequences that ran at that step. Gate gradients of every step are kept, so
/// each weight gradient is one product over all steps and rows (dW = Σ_t δ_tᵀ x_t, see
/// <see cref="WeightGradients"/>) and the input gradient one product with W_ihᵀ (not computed for the
/// first layer when the caller passes no input gradient).
/// </remarks>
internal static class SequenceTraining
{
    public static void Backward(
        RecurrentNetwork network,
        BackwardWeights[] backward,
        TrainingWorkspace ws,
        ReadOnlySpan<float> gradOutput,
        ReadOnlySpan<float> gradFinalHidden,
        ReadOnlySpan<float> gradFinalCell,
        GradientBuffer gradients,
        Span<float> gradInput,
        Span<float> gradInitialHidden,
        Span<float> gradInitialCell)
    {
        NetworkDescription d = network.Description;
        RowOrder order = ws.Runner.Rows;
        int steps = ws.Steps, batch = ws.Batch;
        int rows = steps * batch;

        // The gradient of the top layer's output, in the forward pass's row order.
        AlignedBuffer dOutBuffer = ws.OutputGradients[0];
        int dOutStride = d.OutputSize;
        order.Gather(d.BatchFirst, gradOutput, d.OutputSize, dOutBuffer.Span, dOutStride, steps, batch);

        ws.Gradients = gradients;
        int which = 0;
        for (int layer = d.NumLayers - 1; layer >= 0; layer--)
        {
            int inputSize = d.LayerInputSize(layer);
            AlignedBuffer layerInput = layer == 0 ? ws.Runner.Input : ws.LayerOutputs[layer - 1];
            int dInStride = TrainingWorkspace.PaddedInput(network.Cells[layer * d.Directions]);
            AlignedBuffer dInBuffer = ws.OutputGradients[1 - which];
            Span<float> dIn = dInBuffer.Span[..(rows * dInStride)];

            // The first layer's input gradient costs a product with W_ih: skipped when the caller does not want it.
            AlignedBuffer? dInWanted = layer > 0 || !gradInput.IsEmpty ? dInBuffer : null;
            if (dInWanted is not null)
            {
                dIn.Clear();
            }
            for (int direction = 0; direction < d.Directions; direction++)
            {
                int slot = (layer * d.Directions) + direction;
                ws.Runner.Region.Set(d, network.Cells[slot], slot, direction, layerInput.Pinned, ws.Gates[slot], default, steps, batch);
                ws.Runner.Region.SetBackward(backward[slot], dOutBuffer, dOutStride, dInWanted, dInStride);
                BackwardDirection(ws, gradFinalHidden, gradFinalCell, gradInitialHidden, gradInitialCell);
            }

            if (layer > 0 && ws.DropoutMasks.Length > 0)
            {
                for (int r = 0; r < rows; r++)
                {
                    Dropout.Apply(dIn.Slice(r * dInStride, inputSize), ws.DropoutMasks[layer - 1].Span.Slice(r * inputSize, inputSize));
                }
            }

            dOutBuffer = dInBuffer;
            dOutStride = dInStride;
            which = 1 - which;
        }

        ws.Gradients = null;
        if (!gradInput.IsEmpty)
        {
            // Padded positions hold zero gradient: their rows of δ were zero.
            order.Scatter(d.BatchFirst, dOutBuffer.Span, dOutStride, gradInput, d.InputSize, steps, batch);
        }
    }

    // Backward through the layer-direction the region is set to.
    private static void BackwardDirection(
        TrainingWorkspace ws,
        ReadOnlySpan<float> gradFinalHidden,
        ReadOnlySpan<float> gradFinalCell,
        Span<float> gradInitialHidden,
        Span<float> gradInitialCell)
    {
        SequenceRegion region = ws.Runner.Region;
        CellWeights cell = region.Cell;
        int slot = region.Slot, batch = region.Batch, rows = region.Steps * batch;
        int ss = cell.StateStride, hp = cell.PaddedUnits;
        GradientStrides strides = ws.Strides[slot];
        ws.GateGradients.Span[..(rows * strides.Gates)].Clear();
        ws.HiddenGateGradients.Span[..(rows * strides.HiddenGates)].Clear();
        ws.CandidateGradients.Span[..(rows * strides.Candidate)].Clear();
        ws.StateGradients.Span[..(rows * strides.State)].Clear();
        ClearEndedRows(ws, cell, slot, region.Steps, batch);

        // The carries start as the gradients of h_n and c_n (rows in the forward's order).
        Span<float> dh = ws.HiddenCarry.Span[..(batch * ss)]; // [B, StateStride]
        Span<float> dc = ws.CellCarry.Span[..(batch * hp)];   // [B, Hp]
        ws.Runner.Rows.LoadState(cell, slot, batch, gradFinalHidden, gradFinalCell, dh, dc);

        region.Run(ws.BackwardRowsPart, batch);
        region.Run(ws.BackwardProductsPart, region.Threads);
        if (cell.Variant == CellVariant.Peephole)
        {
            WeightGradients.AccumulatePeepholes(ws, rows);
        }

        ws.Runner.Rows.StoreState(cell, slot, batch, dh, dc, gradInitialHidden, gradInitialCell);
    }

    // The weight products read every row of the history, ended rows included (their δ is zero). The
    // buffers only running rows write, o ⊙ tanh(c') of a projection and r ⊙ h of a reset-before GRU,
    // hold in ended rows what an earlier Forward left there, and 0 · NaN is NaN: a NaN of an earlier
    // batch would reach dW_hr or dW_hn. Those rows are zeroed, as the gathered input's are.
    private static void ClearEndedRows(TrainingWorkspace ws, CellWeights cell, int slot, int steps, int batch)
    {
        if (cell.Projection is null && !cell.ResetBefore)
        {
            return;
        }

        int hp = cell.PaddedUnits;
        Span<float> history = cell.Projection is not null ? ws.Unprojected[slot].Span : ws.ResetHidden[slot].Span; // [T, B, Hp]
        for (int t = 0; t < steps; t++)
        {
            int active = ws.Runner.Rows.ActiveIn(t, 0, batch);
            history.Slice(((t * batch) + active) * hp, (batch - active) * hp).Clear();
        }
    }

    /// <summary>Part of the current backward recurrence: a range of sorted rows back through every step.</summary>
    internal static void BackwardRowsPart(TrainingWorkspace ws, int part)
    {
        SequenceRegion r = ws.Runner.Region;
        CellWeights cell = r.Cell;
        BackwardWeights bw = r.Backward!;
        int steps = r.Steps, batch = r.Batch, slot = r.Slot, column = r.Column;
        (int r0, int r1) = r.Share(batch, part);
        int n = r1 - r0;
        int stateSize = cell.StateSize;
        int ss = cell.StateStride, hp = cell.PaddedUnits, gs = cell.GateStride, hgs = cell.HiddenGateStride;
        GradientStrides strides = ws.Strides[slot];
        int dgs = strides.Gates, dhgs = strides.HiddenGates, dcs = strides.Candidate, dss = strides.State;
        bool lstm = cell.Kind == CellKind.Lstm;
        ReadOnlySpan<float> gates = r.Gates.Span;                        // [T, B, G*Hp]
        ReadOnlySpan<float> dOut = r.OutputGradient!.Span;               // [T, B, dOutStride]
        int dOutStride = r.OutputGradientStride;
        Span<float> dh = ws.HiddenCarry.Span[(r0 * ss)..(r1 * ss)];      // [n, StateStride] this part's rows
        Span<float> dc = ws.CellCarry.Span[(r0 * hp)..(r1 * hp)];        // [n, Hp]
        Span<float> scratch = ws.StepGradient[part].Span;
        for (int k = 0; k < steps; k++)
        {
            // Back in time relative to this direction's forward order.
            int t = r.Reverse ? k : steps - 1 - k;
            int active = ws.Runner.Rows.ActiveIn(t, r0, n);
            if (active == 0)
            {
                continue;
            }

            int at = (t * batch) + r0; // this part's first row at step t
            for (int s = 0; s < active; s++)
            {
                Span<float> carry = dh.Slice(s * ss, stateSize);
                TensorPrimitives.Add(carry, dOut.Slice(((at + s) * dOutStride) + column, stateSize), carry);
            }

            var saved = new StepHistory
            {
                HiddenBefore = ws.HiddenBefore[slot].Span.Slice(at * ss, active * ss),
                CellBefore = lstm ? ws.CellBefore[slot].Span.Slice(at * hp, active * hp) : default,
                CellAfter = lstm ? ws.CellAfter[slot].Span.Slice(at * hp, active * hp) : default,
                HiddenGates = cell.StandardGru ? ws.HiddenGates[slot].Span.Slice(at * hgs, active * hgs) : default,
            };
            var stepGradients = new StepGradients
            {
                Gates = ws.GateGradients.Span.Slice(at * dgs, active * dgs),
                GatesStride = dgs,
                HiddenGates = hgs == 0 ? default : ws.HiddenGateGradients.Span.Slice(at * dhgs, active * dhgs),
                HiddenGatesStride = dhgs,
                Candidate = cell.ResetBefore ? ws.CandidateGradients.Span.Slice(at * dcs, active * dcs) : default,
                CandidateStride = dcs,
                State = cell.Projection is not null ? ws.StateGradients.Span.Slice(at * dss, active * dss) : default,
                StateStride = dss,
            };
            CellStep.Backward(cell, bw, gates.Slice(at * gs, active * gs), saved, stepGradients, dh[..(active * ss)], dc, scratch, active);
        }
    }
}

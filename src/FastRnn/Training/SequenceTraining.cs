using System;
using System.Numerics.Tensors;
using FastRnn.Cells;
using FastRnn.Kernels;
using FastRnn.Layers;
using FastRnn.Memory;
using FastRnn.Networks;

namespace FastRnn.Training;

/// <summary>
/// Backpropagation through time over whole sequences: a forward pass that saves what backward
/// reads, and the backward pass, layer by layer from the top and step by step back in time.
/// </summary>
/// <remarks>
/// Rows are kept in the forward pass's length order, so each step's backward work covers only the
/// sequences that ran at that step. Gate gradients of every step are kept, so each weight
/// gradient is one product over all steps and rows (dW = Σ_t δ_tᵀ x_t) and the input gradient
/// one product with W_ihᵀ.
/// </remarks>
internal static class SequenceTraining
{
    public static void Forward(
        RecurrentNetwork network,
        TrainingWorkspace ws,
        Dropout? dropout,
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
        SequenceForward.Validate(d, ws.MaxSteps, ws.MaxBatch, input, steps, batch, output, finalHidden, finalCell, initialHidden, initialCell, lengths);
        SequenceForward.SortByLength(ws.Order, ws.SortedLengths, ws.ActiveRows, lengths, steps, batch);
        SequenceForward.GatherInput(d, ws.Order, ws.SortedLengths, input, ws.Input.Span, steps, batch);
        for (int layer = 0; layer < d.NumLayers; layer++)
        {
            AlignedBuffer layerInput = layer == 0 ? ws.Input : ws.LayerOutputs[layer - 1];
            for (int direction = 0; direction < d.Directions; direction++)
            {
                int slot = (layer * d.Directions) + direction;
                ForwardDirection(d, network.Cells[slot], ws, slot, direction, layerInput, ws.LayerOutputs[layer], steps, batch, initialHidden, initialCell, finalHidden, finalCell);
            }

            if (dropout is not null && layer < d.NumLayers - 1)
            {
                // PyTorch's `dropout` argument: on every layer's output but the last.
                Span<float> mask = ws.DropoutMasks[layer].Span[..(steps * batch * d.OutputSize)];
                dropout.NextMask(mask);
                Dropout.Apply(ws.LayerOutputs[layer].Span[..mask.Length], mask);
            }
        }

        SequenceForward.ScatterOutput(d, ws.Order, ws.LayerOutputs[d.NumLayers - 1].Span, output, d.OutputSize, d.OutputSize, steps, batch);
        ws.Steps = steps;
        ws.Batch = batch;
    }

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
        int steps = ws.Steps, batch = ws.Batch;
        int rows = steps * batch;

        // The gradient of the top layer's output, in the forward pass's row order.
        AlignedBuffer dOutBuffer = ws.OutputGradients[0];
        int dOutStride = d.OutputSize;
        SequenceForward.GatherRows(d.BatchFirst, ws.Order, ws.SortedLengths, gradOutput, d.OutputSize, dOutBuffer.Span, dOutStride, steps, batch);

        int which = 0;
        for (int layer = d.NumLayers - 1; layer >= 0; layer--)
        {
            int inputSize = d.LayerInputSize(layer);
            AlignedBuffer layerInput = layer == 0 ? ws.Input : ws.LayerOutputs[layer - 1];
            int dInStride = TrainingWorkspace.PaddedInput(network.Cells[layer * d.Directions]);
            AlignedBuffer dInBuffer = ws.OutputGradients[1 - which];
            Span<float> dIn = dInBuffer.Span[..(rows * dInStride)];
            dIn.Clear();
            for (int direction = 0; direction < d.Directions; direction++)
            {
                int slot = (layer * d.Directions) + direction;
                BackwardDirection(d, network.Cells[slot], backward[slot], ws, slot, direction, layerInput, dOutBuffer, dOutStride, dInBuffer, dInStride, gradFinalHidden, gradFinalCell, gradients, gradInitialHidden, gradInitialCell);
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

        if (!gradInput.IsEmpty)
        {
            // Padded positions hold zero gradient: their rows of δ were zero.
            SequenceForward.ScatterOutput(d, ws.Order, dOutBuffer.Span, gradInput, d.InputSize, dOutStride, steps, batch);
        }
    }

    private static void ForwardDirection(
        NetworkDescription d,
        CellWeights cell,
        TrainingWorkspace ws,
        int slot,
        int direction,
        AlignedBuffer layerInput,   // [T, B, In]
        AlignedBuffer layerOutput,  // [T, B, D*H_out]
        int steps,
        int batch,
        ReadOnlySpan<float> initialHidden,
        ReadOnlySpan<float> initialCell,
        Span<float> finalHidden,
        Span<float> finalCell)
    {
        int ss = cell.StateStride, hp = cell.PaddedUnits, gs = cell.GateStride;
        Span<float> h = ws.Hidden.Span[..(batch * ss)];                 // [B, StateStride]
        Span<float> c = ws.Cell.Span[..(batch * hp)];                   // [B, Hp]
        SequenceForward.LoadInitialState(h, ss, c, hp, slot, ws.Order, batch, d.StateSize, d.HiddenSize, initialHidden, initialCell);
        ws.Current.Set(d, cell, null, slot, direction, layerInput, layerOutput, steps, batch);

        // The input products by output panels, then the recurrence by rows: bit-identical for any thread count.
        ws.CurrentParts = Math.Min(ws.Parts.Count, cell.Input.Panels);
        ws.Parts.Run(ws.ProjectionPart, ws.CurrentParts);
        ws.CurrentParts = Math.Min(ws.Parts.Count, batch);
        ws.Parts.Run(ws.ForwardRowsPart, ws.CurrentParts);

        SequenceForward.StoreFinalState(h, ss, c, hp, slot, ws.Order, batch, d.StateSize, d.HiddenSize, finalHidden, finalCell);
    }

    /// <summary>Part of the current input product: a range of output panels for every row.</summary>
    internal static void ProjectionPart(TrainingWorkspace ws, int part)
    {
        TrainingWorkspace.Region r = ws.Current;
        (int first, int end) = Range(r.Cell.Input.Panels, ws.CurrentParts, part);
        int rows = r.Steps * r.Batch;
        PackedMatMul.MultiplyPanels(r.Cell.Input, first, end, r.LayerInput.Span, r.Cell.InputSize, rows, ws.Gates[r.Slot].Span[..(rows * r.Cell.GateStride)], r.Cell.GateStride);
    }

    /// <summary>Part of the current training forward recurrence: a range of sorted rows through every step, saving history.</summary>
    internal static void ForwardRowsPart(TrainingWorkspace ws, int part)
    {
        TrainingWorkspace.Region r = ws.Current;
        CellWeights cell = r.Cell;
        int steps = r.Steps, batch = r.Batch, slot = r.Slot;
        (int r0, int r1) = Range(batch, ws.CurrentParts, part);
        int n = r1 - r0;
        int stateSize = r.Description.StateSize, outputSize = r.Description.OutputSize;
        int ss = cell.StateStride, hp = cell.PaddedUnits, gs = cell.GateStride;
        bool lstm = cell.Kind == CellKind.Lstm;
        Span<float> h = ws.Hidden.Span[(r0 * ss)..(r1 * ss)];
        Span<float> c = ws.Cell.Span[(r0 * hp)..(r1 * hp)];
        Span<float> gates = ws.Gates[slot].Span;
        Span<float> layerOutput = r.LayerOutput!.Span;
        int hiddenGateStride = cell.Kind != CellKind.Gru ? 0 : cell.Candidate is not null ? 2 * hp : gs;
        int column = r.Column;
        for (int k = 0; k < steps; k++)
        {
            int t = r.Reverse ? steps - 1 - k : k;
            int active = Math.Clamp(ws.ActiveRows[t] - r0, 0, n);
            int at = (t * batch) + r0; // first row of this part at step t
            h.CopyTo(ws.HiddenBefore[slot].Span.Slice(at * ss, n * ss));
            if (lstm)
            {
                c.CopyTo(ws.CellBefore[slot].Span.Slice(at * hp, n * hp));
            }

            if (active > 0)
            {
                var buffers = new StepBuffers
                {
                    Unprojected = cell.Projection is null ? default : ws.Unprojected[slot].Span.Slice(at * hp, active * hp),
                    HiddenGates = hiddenGateStride == 0 ? default : ws.HiddenGates[slot].Span.Slice(at * hiddenGateStride, active * hiddenGateStride),
                    ResetHidden = cell.Candidate is null ? default : ws.ResetHidden[slot].Span.Slice(at * hp, active * hp),
                    Candidate = cell.Candidate is null ? default : ws.Candidate[part].Span[..(active * cell.Candidate.PaddedRows)],
                };
                CellStep.Forward(cell, gates.Slice(at * gs, active * gs), h, c, buffers, active);
            }

            if (lstm)
            {
                c.CopyTo(ws.CellAfter[slot].Span.Slice(at * hp, n * hp));
            }

            SequenceForward.WriteStepOutput(h, ss, layerOutput.Slice(at * outputSize, n * outputSize), outputSize, column, stateSize, active, n);
        }
    }

    private static void BackwardDirection(
        NetworkDescription d,
        CellWeights cell,
        BackwardWeights bw,
        TrainingWorkspace ws,
        int slot,
        int direction,
        AlignedBuffer layerInput,   // [T, B, In]
        AlignedBuffer dOut,         // [T, B, dOutStride] gradient of this layer's output
        int dOutStride,
        AlignedBuffer dIn,          // [T, B, dInStride] gradient of this layer's input, accumulated
        int dInStride,
        ReadOnlySpan<float> gradFinalHidden,
        ReadOnlySpan<float> gradFinalCell,
        GradientBuffer gradients,
        Span<float> gradInitialHidden,
        Span<float> gradInitialCell)
    {
        int steps = ws.Steps, batch = ws.Batch, rows = steps * batch;
        int stateSize = d.StateSize, hiddenSize = d.HiddenSize;
        int ss = cell.StateStride, hp = cell.PaddedUnits, gs = cell.GateStride;
        int[] order = ws.Order;
        bool resetBefore = cell.Candidate is not null;
        bool standardGru = cell.Kind == CellKind.Gru && !resetBefore;
        int hiddenGateStride = resetBefore ? 2 * hp : gs;

        Span<float> dh = ws.HiddenCarry.Span[..(batch * ss)];            // [B, StateStride]
        Span<float> dc = ws.CellCarry.Span[..(batch * hp)];              // [B, Hp]
        ws.GateGradients.Span[..(rows * gs)].Clear();
        if (standardGru || resetBefore)
        {
            ws.HiddenGateGradients.Span[..(rows * hiddenGateStride)].Clear();
        }

        if (resetBefore)
        {
            ws.CandidateGradients.Span[..(rows * hp)].Clear();
        }

        if (cell.Projection is not null)
        {
            ws.StateGradients.Span[..(rows * ss)].Clear();
        }

        dh.Clear();
        dc.Clear();
        for (int s = 0; s < batch; s++)
        {
            if (!gradFinalHidden.IsEmpty)
            {
                gradFinalHidden.Slice(((slot * batch) + order[s]) * stateSize, stateSize).CopyTo(dh.Slice(s * ss));
            }

            if (!gradFinalCell.IsEmpty && cell.Kind == CellKind.Lstm)
            {
                gradFinalCell.Slice(((slot * batch) + order[s]) * hiddenSize, hiddenSize).CopyTo(dc.Slice(s * hp));
            }
        }

        TrainingWorkspace.Region region = ws.Current;
        region.Set(d, cell, bw, slot, direction, layerInput, null, steps, batch);
        region.OutputGradient = dOut;
        region.OutputGradientStride = dOutStride;
        region.InputGradient = dIn;
        region.InputGradientStride = dInStride;
        region.Gradients = gradients;
        ws.CurrentParts = Math.Min(ws.Parts.Count, batch);
        ws.Parts.Run(ws.BackwardRowsPart, ws.CurrentParts);
        ws.CurrentParts = ws.Parts.Count;
        ws.Parts.Run(ws.BackwardProductsPart, ws.CurrentParts);
        if (cell.Variant == CellVariant.Peephole)
        {
            AccumulatePeepholes(ws, cell, bw, gradients, rows);
        }

        for (int s = 0; s < batch; s++)
        {
            if (!gradInitialHidden.IsEmpty)
            {
                dh.Slice(s * ss, stateSize).CopyTo(gradInitialHidden.Slice(((slot * batch) + order[s]) * stateSize));
            }

            if (!gradInitialCell.IsEmpty)
            {
                dc.Slice(s * hp, hiddenSize).CopyTo(gradInitialCell.Slice(((slot * batch) + order[s]) * hiddenSize));
            }
        }
    }

    /// <summary>Part of the current backward recurrence: a range of sorted rows back through every step.</summary>
    internal static void BackwardRowsPart(TrainingWorkspace ws, int part)
    {
        TrainingWorkspace.Region r = ws.Current;
        CellWeights cell = r.Cell;
        BackwardWeights bw = r.Backward!;
        int steps = r.Steps, batch = r.Batch, rows = steps * batch, slot = r.Slot;
        (int r0, int r1) = Range(batch, ws.CurrentParts, part);
        int n = r1 - r0;
        int stateSize = r.Description.StateSize;
        int ss = cell.StateStride, hp = cell.PaddedUnits, gs = cell.GateStride;
        bool resetBefore = cell.Candidate is not null;
        bool standardGru = cell.Kind == CellKind.Gru && !resetBefore;
        int hiddenGateStride = resetBefore ? 2 * hp : gs;
        Span<float> gates = ws.Gates[slot].Span;
        Span<float> dGates = ws.GateGradients.Span[..(rows * gs)];
        Span<float> dHidden = standardGru || resetBefore ? ws.HiddenGateGradients.Span[..(rows * hiddenGateStride)] : dGates;
        Span<float> dCandidate = resetBefore ? ws.CandidateGradients.Span[..(rows * hp)] : default;
        Span<float> dState = cell.Projection is not null ? ws.StateGradients.Span[..(rows * ss)] : default;
        Span<float> dh = ws.HiddenCarry.Span[(r0 * ss)..(r1 * ss)];
        Span<float> dc = ws.CellCarry.Span[(r0 * hp)..(r1 * hp)];
        Span<float> step = ws.StepGradient[part].Span;
        ReadOnlySpan<float> dOut = r.OutputGradient!.Span;
        int dOutStride = r.OutputGradientStride;
        int column = r.Column;
        for (int k = 0; k < steps; k++)
        {
            // Back in time relative to this direction's forward order.
            int t = r.Reverse ? k : steps - 1 - k;
            int active = Math.Clamp(ws.ActiveRows[t] - r0, 0, n);
            if (active == 0)
            {
                continue;
            }

            int at = (t * batch) + r0;
            for (int s = 0; s < active; s++)
            {
                Span<float> carry = dh.Slice(s * ss, stateSize);
                TensorPrimitives.Add(carry, dOut.Slice(((at + s) * dOutStride) + column, stateSize), carry);
            }

            Span<float> stepGates = gates.Slice(at * gs, active * gs);
            Span<float> stepDGates = dGates.Slice(at * gs, active * gs);
            ReadOnlySpan<float> hBefore = ws.HiddenBefore[slot].Span.Slice(at * ss, active * ss);
            Span<float> dhActive = dh[..(active * ss)];
            switch (cell.Kind)
            {
                case CellKind.Lstm:
                {
                    Span<float> dm = dhActive;
                    if (bw.ProjectionT is not null)
                    {
                        dhActive.CopyTo(dState.Slice(at * ss));
                        dm = step[..(active * hp)];
                        PackedMatMul.Multiply(bw.ProjectionT, dhActive, ss, active, dm, hp);
                    }

                    // Peephole gradients are summed afterwards in one fixed order (AccumulatePeepholes).
                    LstmBackwardEpilogue.Backward(
                        stepGates, dm, ws.CellBefore[slot].Span.Slice(at * hp, active * hp), ws.CellAfter[slot].Span.Slice(at * hp, active * hp),
                        cell.Peephole, dc, stepDGates, default, active, hp, cell.Epilogue);
                    PackedMatMul.Multiply(bw.RecurrentT, stepDGates, gs, active, dhActive, ss);
                    break;
                }

                case CellKind.Gru when resetBefore:
                {
                    Span<float> stepDCandidate = dCandidate.Slice(at * hp, active * hp);
                    Span<float> stepDHidden = dHidden.Slice(at * hiddenGateStride, active * hiddenGateStride);
                    GruBackwardEpilogue.CandidateBackward(stepGates, hBefore, dhActive, stepDGates, stepDCandidate, hp, active, hp, cell.Epilogue);
                    Span<float> dResetHidden = step[..(active * hp)];
                    PackedMatMul.Multiply(bw.CandidateT!, stepDCandidate, hp, active, dResetHidden, hp);
                    GruBackwardEpilogue.ResetBackward(stepGates, hBefore, dResetHidden, hp, dhActive, stepDGates, stepDHidden, active, hp, cell.Epilogue);
                    PackedMatMul.MultiplyAdd(bw.RecurrentT, stepDHidden, hiddenGateStride, active, dhActive, ss);
                    break;
                }

                case CellKind.Gru:
                {
                    Span<float> stepDHidden = dHidden.Slice(at * gs, active * gs);
                    GruBackwardEpilogue.Backward(
                        stepGates, ws.HiddenGates[slot].Span.Slice(at * gs, active * gs), hBefore, dhActive, stepDGates, stepDHidden, active, hp, cell.Epilogue);
                    PackedMatMul.MultiplyAdd(bw.RecurrentT, stepDHidden, gs, active, dhActive, ss);
                    break;
                }

                default:
                    RnnBackwardEpilogue.Backward(stepGates, dhActive, stepDGates, gs, active, cell.Epilogue);
                    PackedMatMul.Multiply(bw.RecurrentT, stepDGates, gs, active, dhActive, ss);
                    break;
            }
        }
    }

    /// <summary>
    /// Part of the whole-sequence products of the current backward: its share of the input
    /// gradient's panels and of every weight gradient's rows (each output summed over all rows in
    /// the same order whatever the thread count).
    /// </summary>
    internal static void BackwardProductsPart(TrainingWorkspace ws, int part)
    {
        TrainingWorkspace.Region r = ws.Current;
        CellWeights cell = r.Cell;
        BackwardWeights bw = r.Backward!;
        GradientBuffer gradients = r.Gradients!;
        int parts = ws.CurrentParts;
        int rows = r.Steps * r.Batch, slot = r.Slot;
        int stateSize = r.Description.StateSize, hiddenSize = r.Description.HiddenSize;
        int ss = cell.StateStride, hp = cell.PaddedUnits, gs = cell.GateStride;
        int inputSize = cell.InputSize;
        bool resetBefore = cell.Candidate is not null;
        bool standardGru = cell.Kind == CellKind.Gru && !resetBefore;
        int hiddenGateStride = resetBefore ? 2 * hp : gs;
        ReadOnlySpan<float> dGates = ws.GateGradients.Span[..(rows * gs)];
        ReadOnlySpan<float> dHidden = standardGru || resetBefore ? ws.HiddenGateGradients.Span[..(rows * hiddenGateStride)] : dGates;

        (int p0, int p1) = Range(bw.InputT.Panels, parts, part);
        PackedMatMul.MultiplyAddPanels(bw.InputT, p0, p1, dGates, gs, rows, r.InputGradient!.Span[..(rows * r.InputGradientStride)], r.InputGradientStride);

        Rows(dGates, gs, bw.InputColumns, r.LayerInput.Span, inputSize, inputSize, rows, gradients.Values(bw.InputWeightName), parts, part);
        float[] whh = gradients.Values(bw.RecurrentWeightName);
        ReadOnlySpan<float> hHistory = ws.HiddenBefore[slot].Span[..(rows * ss)];
        if (resetBefore)
        {
            Rows(dHidden, hiddenGateStride, bw.RecurrentColumns, hHistory, ss, stateSize, rows, whh.AsSpan(0, 2 * hiddenSize * stateSize), parts, part);
            Rows(ws.CandidateGradients.Span[..(rows * hp)], hp, bw.HiddenIdentity, ws.ResetHidden[slot].Span[..(rows * hp)], hp, hiddenSize, rows, whh.AsSpan(2 * hiddenSize * stateSize), parts, part);
        }
        else
        {
            Rows(dHidden, gs, bw.RecurrentColumns, hHistory, ss, stateSize, rows, whh, parts, part);
        }

        if (bw.ProjectionT is not null)
        {
            Rows(ws.StateGradients.Span[..(rows * ss)], ss, bw.StateIdentity, ws.Unprojected[slot].Span[..(rows * hp)], hp, hiddenSize, rows, gradients.Values(bw.ProjectionName), parts, part);
        }

        if (r.Description.Bias)
        {
            // This part's share of the packed gate columns; each part adds only the bias elements those columns feed.
            (int c0, int c1) = Range(gs, parts, part);
            Span<float> sums = ws.ColumnSums.Span[..gs]; // [G*Hp] column sums of δ
            ColumnSums(dGates, gs, rows, c0, c1, sums);
            AddBias(sums, c0, c1, bw.InputColumns, gradients.Values(bw.InputBiasName));

            // LSTM, RNN and reset-before GRU add b_hh where b_ih goes: the same gradient.
            if (standardGru)
            {
                ColumnSums(dHidden, gs, rows, c0, c1, sums);
            }

            AddBias(sums, c0, c1, bw.InputColumns, gradients.Values(bw.RecurrentBiasName));
        }
    }

    // This part's share of the rows of dW += δᵀ X (the rows of C are independent outputs).
    private static void Rows(ReadOnlySpan<float> a, int lda, int[] columns, ReadOnlySpan<float> b, int ldb, int n, int k, Span<float> c, int parts, int part)
    {
        (int m0, int m1) = Range(columns.Length, parts, part);
        if (m1 > m0)
        {
            TransposedProduct.Accumulate(a, lda, columns.AsSpan(m0, m1 - m0), b, ldb, n, k, c[(m0 * n)..], n);
        }
    }

    // sums[c] = Σ_rows δ[row, c] for packed columns [c0, c1): rows ascending, whole rows at a time
    // (strided column walks of δ thrash the cache), each sum in the same order whatever the split.
    private static void ColumnSums(ReadOnlySpan<float> dGates, int stride, int rows, int c0, int c1, Span<float> sums)
    {
        Span<float> part = sums[c0..c1];
        part.Clear();
        for (int row = 0; row < rows; row++)
        {
            TensorPrimitives.Add(part, dGates.Slice((row * stride) + c0, c1 - c0), part);
        }
    }

    // bias[i] += sums[columns[i]] for the bias elements whose packed column is in [c0, c1).
    private static void AddBias(ReadOnlySpan<float> sums, int c0, int c1, int[] columns, float[] bias)
    {
        for (int i = 0; i < bias.Length; i++)
        {
            int column = columns[i];
            if (column >= c0 && column < c1)
            {
                bias[i] += sums[column];
            }
        }
    }

    // Peephole gradients from the saved pre-activation gradients and cell states, in one fixed
    // order (rows ascending), so they do not depend on how the recurrence was split:
    // dw_ci = Σ δi ⊙ c_prev, dw_cf = Σ δf ⊙ c_prev, dw_co = Σ δo ⊙ c_new.
    private static void AccumulatePeepholes(TrainingWorkspace ws, CellWeights cell, BackwardWeights bw, GradientBuffer gradients, int rows)
    {
        int h = cell.HiddenSize, hp = cell.PaddedUnits, gs = cell.GateStride;
        ReadOnlySpan<float> dGates = ws.GateGradients.Span;
        ReadOnlySpan<float> before = ws.CellBefore[ws.Current.Slot].Span;
        ReadOnlySpan<float> after = ws.CellAfter[ws.Current.Slot].Span;
        Span<float> sums = ws.ColumnSums.Span[..(3 * h)]; // [3, H] Σ δi c_prev, Σ δf c_prev, Σ δo c_new
        Span<float> si = sums[..h], sf = sums[h..(2 * h)], so = sums[(2 * h)..];
        sums.Clear();
        ReadOnlySpan<int> columns = bw.InputColumns;

        // Row by row (whole rows of δ in cache), each sum over rows ascending.
        for (int row = 0; row < rows; row++)
        {
            ReadOnlySpan<float> d = dGates.Slice(row * gs, gs);
            ReadOnlySpan<float> c0 = before.Slice(row * hp, h);
            ReadOnlySpan<float> c1 = after.Slice(row * hp, h);
            for (int u = 0; u < h; u++)
            {
                si[u] += d[columns[u]] * c0[u];
                sf[u] += d[columns[h + u]] * c0[u];
                so[u] += d[columns[(3 * h) + u]] * c1[u];
            }
        }

        Span<float> ci = gradients.Values(bw.PeepholeNames[0]).AsSpan(0, h);
        Span<float> cf = gradients.Values(bw.PeepholeNames[1]).AsSpan(0, h);
        Span<float> co = gradients.Values(bw.PeepholeNames[2]).AsSpan(0, h);
        TensorPrimitives.Add(ci, si, ci);
        TensorPrimitives.Add(cf, sf, cf);
        TensorPrimitives.Add(co, so, co);
    }

    // Part `part` of `count` equal contiguous shares of [0, total).
    private static (int First, int End) Range(int total, int count, int part) =>
        ((int)((long)total * part / count), (int)((long)total * (part + 1) / count));
}

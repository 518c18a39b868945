using System;
using System.Numerics.Tensors;
using FastRnn.Cells;
using FastRnn.Kernels;
using FastRnn.Layers;
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
            ReadOnlySpan<float> layerInput = layer == 0 ? ws.Input.Span : ws.LayerOutputs[layer - 1].Span;
            for (int direction = 0; direction < d.Directions; direction++)
            {
                int slot = (layer * d.Directions) + direction;
                ForwardDirection(d, network.Cells[slot], ws, slot, direction == 1, layerInput, ws.LayerOutputs[layer].Span, steps, batch, initialHidden, initialCell, finalHidden, finalCell);
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
        Span<float> dOut = ws.OutputGradients[0].Span;
        int dOutStride = d.OutputSize;
        SequenceForward.GatherRows(d.BatchFirst, ws.Order, ws.SortedLengths, gradOutput, d.OutputSize, dOut, dOutStride, steps, batch);

        int which = 0;
        for (int layer = d.NumLayers - 1; layer >= 0; layer--)
        {
            int inputSize = d.LayerInputSize(layer);
            ReadOnlySpan<float> layerInput = layer == 0 ? ws.Input.Span : ws.LayerOutputs[layer - 1].Span;
            int dInStride = TrainingWorkspace.PaddedInput(network.Cells[layer * d.Directions]);
            Span<float> dIn = ws.OutputGradients[1 - which].Span[..(rows * dInStride)];
            dIn.Clear();
            for (int direction = 0; direction < d.Directions; direction++)
            {
                int slot = (layer * d.Directions) + direction;
                BackwardDirection(d, network.Cells[slot], backward[slot], ws, slot, layer, direction, layerInput, inputSize, dOut, dOutStride, dIn, dInStride, gradFinalHidden, gradFinalCell, gradients, gradInitialHidden, gradInitialCell);
            }

            if (layer > 0 && ws.DropoutMasks.Length > 0)
            {
                for (int r = 0; r < rows; r++)
                {
                    Dropout.Apply(dIn.Slice(r * dInStride, inputSize), ws.DropoutMasks[layer - 1].Span.Slice(r * inputSize, inputSize));
                }
            }

            dOut = dIn;
            dOutStride = dInStride;
            which = 1 - which;
        }

        if (!gradInput.IsEmpty)
        {
            // Padded positions hold zero gradient: their rows of δ were zero.
            SequenceForward.ScatterOutput(d, ws.Order, dOut, gradInput, d.InputSize, dOutStride, steps, batch);
        }
    }

    private static void ForwardDirection(
        NetworkDescription d,
        CellWeights cell,
        TrainingWorkspace ws,
        int slot,
        bool reverse,
        ReadOnlySpan<float> layerInput,  // [T, B, In]
        Span<float> layerOutput,         // [T, B, D*H_out]
        int steps,
        int batch,
        ReadOnlySpan<float> initialHidden,
        ReadOnlySpan<float> initialCell,
        Span<float> finalHidden,
        Span<float> finalCell)
    {
        int stateSize = d.StateSize, hiddenSize = d.HiddenSize, outputSize = d.OutputSize;
        int ss = cell.StateStride, hp = cell.PaddedUnits, gs = cell.GateStride;
        int[] order = ws.Order;
        bool lstm = cell.Kind == CellKind.Lstm;
        Span<float> h = ws.Hidden.Span[..(batch * ss)];                 // [B, StateStride]
        Span<float> c = ws.Cell.Span[..(batch * hp)];                   // [B, Hp]
        Span<float> gates = ws.Gates[slot].Span[..(steps * batch * gs)]; // [T, B, G*Hp]
        SequenceForward.LoadInitialState(h, ss, c, hp, slot, order, batch, stateSize, hiddenSize, initialHidden, initialCell);

        gates.Clear();
        PackedMatMul.MultiplyAdd(cell.Input, layerInput, cell.InputSize, steps * batch, gates, gs);
        int hiddenGateStride = cell.Kind != CellKind.Gru ? 0 : cell.Candidate is not null ? 2 * hp : gs;
        int column = reverse ? stateSize : 0;
        for (int k = 0; k < steps; k++)
        {
            int t = reverse ? steps - 1 - k : k;
            int active = ws.ActiveRows[t];
            int at = t * batch;
            h.CopyTo(ws.HiddenBefore[slot].Span.Slice(at * ss, batch * ss));
            if (lstm)
            {
                c.CopyTo(ws.CellBefore[slot].Span.Slice(at * hp, batch * hp));
            }

            if (active > 0)
            {
                var buffers = new StepBuffers
                {
                    Unprojected = cell.Projection is null ? default : ws.Unprojected[slot].Span.Slice(at * hp, active * hp),
                    HiddenGates = hiddenGateStride == 0 ? default : ws.HiddenGates[slot].Span.Slice(at * hiddenGateStride, active * hiddenGateStride),
                    ResetHidden = cell.Candidate is null ? default : ws.ResetHidden[slot].Span.Slice(at * hp, active * hp),
                    Candidate = cell.Candidate is null ? default : ws.Candidate.Span[..(active * cell.Candidate.PaddedRows)],
                };
                CellStep.Forward(cell, gates.Slice(at * gs, active * gs), h, c, buffers, active);
            }

            if (lstm)
            {
                c.CopyTo(ws.CellAfter[slot].Span.Slice(at * hp, batch * hp));
            }

            SequenceForward.WriteStepOutput(h, ss, layerOutput.Slice(at * outputSize, batch * outputSize), outputSize, column, stateSize, active, batch);
        }

        SequenceForward.StoreFinalState(h, ss, c, hp, slot, order, batch, stateSize, hiddenSize, finalHidden, finalCell);
    }

    private static void BackwardDirection(
        NetworkDescription d,
        CellWeights cell,
        BackwardWeights bw,
        TrainingWorkspace ws,
        int slot,
        int layer,
        int direction,
        ReadOnlySpan<float> layerInput,  // [T, B, In]
        int inputSize,
        ReadOnlySpan<float> dOut,        // [T, B, dOutStride] gradient of this layer's output
        int dOutStride,
        Span<float> dIn,                 // [T, B, dInStride] gradient of this layer's input, accumulated
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
        bool reverse = direction == 1;
        bool resetBefore = cell.Candidate is not null;
        bool standardGru = cell.Kind == CellKind.Gru && !resetBefore;
        int hiddenGateStride = resetBefore ? 2 * hp : gs;

        Span<float> gates = ws.Gates[slot].Span;                         // [T, B, G*Hp] activations
        Span<float> dGates = ws.GateGradients.Span[..(rows * gs)];       // [T, B, G*Hp]
        Span<float> dHidden = standardGru || resetBefore ? ws.HiddenGateGradients.Span[..(rows * hiddenGateStride)] : dGates;
        Span<float> dCandidate = resetBefore ? ws.CandidateGradients.Span[..(rows * hp)] : default; // [T, B, Hp]
        Span<float> dState = cell.Projection is not null ? ws.StateGradients.Span[..(rows * ss)] : default; // [T, B, Pp]
        Span<float> dh = ws.HiddenCarry.Span[..(batch * ss)];            // [B, StateStride]
        Span<float> dc = ws.CellCarry.Span[..(batch * hp)];              // [B, Hp]
        Span<float> step = ws.StepGradient.Span[..(batch * hp)];         // [B, Hp]
        Span<float> dPeephole = cell.Variant == CellVariant.Peephole ? ws.PeepholeGradients.Span[..(3 * hp)] : default;
        dGates.Clear();
        if (standardGru || resetBefore)
        {
            dHidden.Clear();
        }

        dCandidate.Clear();
        dState.Clear();
        dPeephole.Clear();
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

        int column = reverse ? stateSize : 0;
        RnnActivation activation = cell.Kind == CellKind.RnnRelu ? RnnActivation.Relu : RnnActivation.Tanh;
        for (int k = 0; k < steps; k++)
        {
            // Back in time relative to this direction's forward order.
            int t = reverse ? k : steps - 1 - k;
            int active = ws.ActiveRows[t];
            if (active == 0)
            {
                continue;
            }

            int at = t * batch;
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
                        dm.Clear();
                        PackedMatMul.MultiplyAdd(bw.ProjectionT, dhActive, ss, active, dm, hp);
                    }

                    LstmBackwardEpilogue.Backward(stepGates, dm, ws.CellBefore[slot].Span.Slice(at * hp, active * hp), ws.CellAfter[slot].Span.Slice(at * hp, active * hp), cell.Peephole, dc, stepDGates, dPeephole, active, hp);
                    dhActive.Clear();
                    PackedMatMul.MultiplyAdd(bw.RecurrentT, stepDGates, gs, active, dhActive, ss);
                    break;
                }

                case CellKind.Gru when resetBefore:
                {
                    Span<float> stepDCandidate = dCandidate.Slice(at * hp, active * hp);
                    Span<float> stepDHidden = dHidden.Slice(at * hiddenGateStride, active * hiddenGateStride);
                    GruBackwardEpilogue.CandidateBackward(stepGates, hBefore, dhActive, stepDGates, stepDCandidate, hp, active, hp);
                    Span<float> dResetHidden = step[..(active * hp)];
                    dResetHidden.Clear();
                    PackedMatMul.MultiplyAdd(bw.CandidateT!, stepDCandidate, hp, active, dResetHidden, hp);
                    GruBackwardEpilogue.ResetBackward(stepGates, hBefore, dResetHidden, hp, dhActive, stepDGates, stepDHidden, active, hp);
                    PackedMatMul.MultiplyAdd(bw.RecurrentT, stepDHidden, hiddenGateStride, active, dhActive, ss);
                    break;
                }

                case CellKind.Gru:
                {
                    Span<float> stepDHidden = dHidden.Slice(at * gs, active * gs);
                    GruBackwardEpilogue.Backward(stepGates, ws.HiddenGates[slot].Span.Slice(at * gs, active * gs), hBefore, dhActive, stepDGates, stepDHidden, active, hp);
                    PackedMatMul.MultiplyAdd(bw.RecurrentT, stepDHidden, gs, active, dhActive, ss);
                    break;
                }

                default:
                    RnnBackwardEpilogue.Backward(stepGates, dhActive, stepDGates, gs, active, activation);
                    dhActive.Clear();
                    PackedMatMul.MultiplyAdd(bw.RecurrentT, stepDGates, gs, active, dhActive, ss);
                    break;
            }
        }

        // Whole-sequence products: the input gradient and every weight gradient at once.
        PackedMatMul.MultiplyAdd(bw.InputT, dGates, gs, rows, dIn, dInStride);
        TransposedProduct.Accumulate(dGates, gs, bw.InputColumns, layerInput, inputSize, inputSize, rows, gradients.Values(bw.InputWeightName), inputSize);
        float[] whh = gradients.Values(bw.RecurrentWeightName);
        ReadOnlySpan<float> hHistory = ws.HiddenBefore[slot].Span[..(rows * ss)];
        if (resetBefore)
        {
            TransposedProduct.Accumulate(dHidden, hiddenGateStride, bw.RecurrentColumns, hHistory, ss, stateSize, rows, whh.AsSpan(0, 2 * hiddenSize * stateSize), stateSize);
            TransposedProduct.Accumulate(dCandidate, hp, bw.HiddenIdentity, ws.ResetHidden[slot].Span[..(rows * hp)], hp, hiddenSize, rows, whh.AsSpan(2 * hiddenSize * stateSize), stateSize);
        }
        else
        {
            TransposedProduct.Accumulate(dHidden, gs, bw.RecurrentColumns, hHistory, ss, stateSize, rows, whh, stateSize);
        }

        if (bw.ProjectionT is not null)
        {
            TransposedProduct.Accumulate(dState, ss, bw.StateIdentity, ws.Unprojected[slot].Span[..(rows * hp)], hp, hiddenSize, rows, gradients.Values(bw.ProjectionName), hiddenSize);
        }

        if (d.Bias)
        {
            AccumulateBias(dGates, gs, rows, bw.InputColumns, ws.BiasSums.Span[..gs], gradients.Values(bw.InputBiasName));
            if (standardGru)
            {
                AccumulateBias(dHidden, gs, rows, bw.InputColumns, ws.BiasSums.Span[..gs], gradients.Values(bw.RecurrentBiasName));
            }
            else
            {
                // LSTM, RNN and reset-before GRU add b_hh where b_ih goes: the same gradient.
                AccumulateBias(dGates, gs, rows, bw.InputColumns, ws.BiasSums.Span[..gs], gradients.Values(bw.RecurrentBiasName));
            }
        }

        if (!dPeephole.IsEmpty)
        {
            AddInto(dPeephole[..hiddenSize], gradients.Values(bw.PeepholeNames[0]));
            AddInto(dPeephole.Slice(hp, hiddenSize), gradients.Values(bw.PeepholeNames[1]));
            AddInto(dPeephole.Slice(2 * hp, hiddenSize), gradients.Values(bw.PeepholeNames[2]));
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

    private static void AccumulateBias(ReadOnlySpan<float> dGates, int stride, int rows, int[] columns, Span<float> sums, float[] bias)
    {
        sums.Clear();
        for (int r = 0; r < rows; r++)
        {
            TensorPrimitives.Add(sums, dGates.Slice(r * stride, stride), sums);
        }

        for (int i = 0; i < bias.Length; i++)
        {
            bias[i] += sums[columns[i]];
        }
    }

    private static void AddInto(ReadOnlySpan<float> source, float[] target) => TensorPrimitives.Add(target, source, target);
}

using System;
using FastRnn.Kernels;
using FastRnn.Networks;

namespace FastRnn.Cells;

/// <summary>
/// One time step of one cell for a block of batch rows, after the input projection: forward, the
/// recurrent product(s) and the fused epilogue, updating h (and c) in place or into new buffers; backward, the same
/// step in reverse, from the gradient of the new h (and c) to that of the old.
/// </summary>
internal static class CellStep
{
    /// <summary>Advances <paramref name="batch"/> rows by one step: all of it, or one thread's share.</summary>
    /// <param name="w">The layer-direction weights.</param>
    /// <param name="x">[batch, xStride] this step's layer input, or empty when <paramref name="gates"/> already holds W_ih x (a sequence's input products run at once).</param>
    /// <param name="xStride">Distance between input rows.</param>
    /// <param name="gates">[batch, GateStride] W_ih x for this step in packed order (written here from <paramref name="x"/> if given); consumed (holds activations afterwards).</param>
    /// <param name="state">The h (and c) the step reads and where it writes the new ones: in place or apart (see <see cref="StepState"/>).</param>
    /// <param name="buffers">Where the intermediate products go (see <see cref="StepBuffers"/>).</param>
    /// <param name="batch">Rows.</param>
    /// <param name="share">The panels and units this thread computes (<see cref="StepShare.Whole"/>: all).</param>
    public static void Forward(
        CellWeights w, ReadOnlySpan<float> x, int xStride, Span<float> gates, StepState state, StepBuffers buffers, int batch, StepShare share)
    {
        // Every cell starts with its share of W_ih x (unless given) and W_hh h. In place, no share
        // overwrites h or c before a barrier every share has reached: the products read all of h, and
        // a runner that shares every step reads h and c before the step on one thread (training's
        // history). Apart, the new state goes to other buffers and that barrier goes. A share's
        // epilogue otherwise reads and writes only its own units (its panels hold every gate of them).
        (int p0, int p1) = share.Panels(w.Input);

        // One stream's step runs both products in one pass, the same bits: an LSTM's or an RNN's add
        // into the same gates, a GRU's go apart (W_hh h into the hidden gates).
        bool paired = !x.IsEmpty && batch == 1 && w.PairsRowProducts;
        if (paired && w.Kind == CellKind.Gru)
        {
            RowPairProduct.MultiplyPanelsApart(w.Input, w.Recurrent, p0, p1, x, state.H, gates, buffers.HiddenGates, share.Order);
        }
        else if (paired)
        {
            RowPairProduct.MultiplyPanels(w.Input, w.Recurrent, p0, p1, x, state.H, gates, share.Order);
        }
        else if (!x.IsEmpty)
        {
            PackedMatMul.MultiplyPanels(w.Input, p0, p1, x, xStride, batch, gates, w.GateStride, share.Order);
        }

        UnitRange units = share.Units(w.PaddedUnits);
        switch (w.Kind)
        {
            case CellKind.Lstm:
                Lstm(w, gates, state, buffers.Unprojected, batch, share, paired ? p1 : p0, p1, units); // paired: no recurrent panels left
                break;
            case CellKind.Gru when w.ResetBefore:
                GruResetBefore(w, gates, state, buffers, batch, share, units);
                break;
            case CellKind.Gru:
                Gru(w, gates, state, buffers.HiddenGates, batch, share, paired ? p1 : p0, p1, units);
                break;
            default:
                Rnn(w, gates, state, batch, share, paired ? p1 : p0, p1, units);
                break;
        }
    }

    /// <summary>
    /// Takes <paramref name="batch"/> rows back through one step: from the gradient of the h (and c)
    /// the step produced to the gate pre-activation gradients and the gradient of the h (and c) it read.
    /// </summary>
    /// <param name="w">The layer-direction weights.</param>
    /// <param name="bw">Their transposes.</param>
    /// <param name="gates">[batch, GateStride] the activated gates the forward step left (packed order).</param>
    /// <param name="saved">What the forward step kept (see <see cref="StepHistory"/>).</param>
    /// <param name="gradients">Where the step's pre-activation gradients go (see <see cref="StepGradients"/>).</param>
    /// <param name="dh">[batch, StateStride] in: gradient of h after the step; out: of h before it.</param>
    /// <param name="dc">[batch, Hp] LSTM: in gradient of c after the step, out of c before it; unused otherwise.</param>
    /// <param name="scratch">[batch, max(Hp, Hn)] room for the gradient of o ⊙ tanh(c') (projection) or of r ⊙ h (reset-before).</param>
    /// <param name="batch">Rows.</param>
    public static void Backward(CellWeights w, BackwardWeights bw, ReadOnlySpan<float> gates, StepHistory saved, StepGradients gradients, Span<float> dh, Span<float> dc, Span<float> scratch, int batch)
    {
        switch (w.Kind)
        {
            case CellKind.Lstm:
                LstmBackward(w, bw, gates, saved, gradients, dh, dc, scratch, batch);
                break;
            case CellKind.Gru when w.ResetBefore:
                GruResetBeforeBackward(w, bw, gates, saved, gradients, dh, scratch, batch);
                break;
            case CellKind.Gru:
                GruBackward(w, bw, gates, saved, gradients, dh, batch);
                break;
            default:
            {
                RnnBackwardEpilogue.Backward(gates, dh, gradients.Gates, w.GateStride, gradients.GatesStride, batch, w.Epilogue);
                PackedMatMul.Multiply(bw.RecurrentT, gradients.Gates, gradients.GatesStride, batch, dh, w.StateStride);
                break;
            }
        }
    }

    private static void Lstm(CellWeights w, Span<float> gates, StepState state, Span<float> unprojected, int batch, StepShare share, int p0, int p1, UnitRange units)
    {
        int hp = w.PaddedUnits;
        PackedMatMul.MultiplyAddPanels(w.Recurrent, p0, p1, state.H, w.StateStride, batch, gates, w.GateStride, share.Order);
        if (state.InPlace)
        {
            share.Barrier(); // before c is written, also with a projection (see Forward)
        }

        if (w.Projection is null)
        {
            LstmEpilogue.Forward(gates, w.Bias, w.Peephole, state.C, state.CNew, state.HNew, batch, hp, w.Epilogue, units);
            return;
        }

        unprojected = unprojected[..(batch * hp)]; // [batch, Hp] o * tanh(c')
        LstmEpilogue.Forward(gates, w.Bias, w.Peephole, state.C, state.CNew, unprojected, batch, hp, w.Epilogue, units);
        share.Barrier(); // the projection reads every unit (and, in place, overwrites h)
        (int q0, int q1) = share.ProjectionPanels(w.Projection);
        PackedMatMul.MultiplyPanels(w.Projection, q0, q1, unprojected, hp, batch, state.HNew, w.StateStride, share.Order);
    }

    private static void Gru(CellWeights w, Span<float> gates, StepState state, Span<float> hiddenGates, int batch, StepShare share, int p0, int p1, UnitRange units)
    {
        hiddenGates = hiddenGates[..(batch * w.GateStride)]; // [batch, 3*Hp] W_hh h
        PackedMatMul.MultiplyPanels(w.Recurrent, p0, p1, state.H, w.StateStride, batch, hiddenGates, w.GateStride, share.Order);
        if (state.InPlace)
        {
            share.Barrier();
        }

        GruEpilogue.Forward(gates, hiddenGates, w.InputBias, w.HiddenBias, state.H, state.HNew, batch, w.PaddedUnits, w.Epilogue, units);
    }

    private static void GruResetBefore(CellWeights w, Span<float> gates, StepState state, StepBuffers buffers, int batch, StepShare share, UnitRange units)
    {
        int hp = w.PaddedUnits;
        int candidateStride = w.Candidate!.PaddedRows;
        Span<float> hiddenGates = buffers.HiddenGates[..(batch * 2 * hp)];          // [batch, 2*Hp] W_h{r,z} h
        Span<float> resetHidden = buffers.ResetHidden[..(batch * hp)];              // [batch, Hp] r ⊙ h
        Span<float> candidate = buffers.Candidate[..(batch * candidateStride)];     // [batch, Hn] W_hn (r ⊙ h)
        (int r0, int r1) = share.Panels(w.Recurrent);
        PackedMatMul.MultiplyPanels(w.Recurrent, r0, r1, state.H, w.StateStride, batch, hiddenGates, 2 * hp, share.Order);

        // r ⊙ h of its own units reads h without writing it: the one barrier comes before the
        // candidate product, which reads every unit of r ⊙ h (and so after every share has read h).
        GruResetBeforeEpilogue.Gates(gates, hiddenGates, w.InputBias, w.HiddenBias, state.H, resetHidden, batch, hp, w.Epilogue, units);
        share.Barrier(); // in place or apart: its share's outputs are this share's units, whose h only this share overwrites
        (int n0, int n1) = share.Panels(w.Candidate);
        PackedMatMul.MultiplyPanels(w.Candidate, n0, n1, resetHidden, hp, batch, candidate, candidateStride, share.Order);
        GruResetBeforeEpilogue.State(gates, candidate, candidateStride, w.InputBias, w.HiddenBias, state.H, state.HNew, batch, hp, w.Epilogue, units);
    }

    private static void Rnn(CellWeights w, Span<float> gates, StepState state, int batch, StepShare share, int p0, int p1, UnitRange units)
    {
        int gs = w.GateStride;
        PackedMatMul.MultiplyAddPanels(w.Recurrent, p0, p1, state.H, w.StateStride, batch, gates, gs, share.Order);
        if (state.InPlace)
        {
            share.Barrier();
        }

        // Activated in place, so the gate buffer holds what backward needs, as for the other cells.
        RnnEpilogue.Forward(gates, gs, w.Bias, gates, batch, w.Epilogue, units);
        int count = units.End - units.First;
        for (int b = 0; b < batch; b++)
        {
            gates.Slice((b * gs) + units.First, count).CopyTo(state.HNew.Slice((b * w.StateStride) + units.First, count));
        }
    }

    private static void LstmBackward(CellWeights w, BackwardWeights bw, ReadOnlySpan<float> gates, StepHistory saved, StepGradients gradients, Span<float> dh, Span<float> dc, Span<float> scratch, int batch)
    {
        int hp = w.PaddedUnits, ss = w.StateStride;
        Span<float> dm = dh; // [batch, Hp] gradient of o ⊙ tanh(c'): dh itself without projection
        if (bw.ProjectionT is not null)
        {
            for (int b = 0; b < batch; b++)
            {
                dh.Slice(b * ss, ss).CopyTo(gradients.State.Slice(b * gradients.StateStride));
            }

            dm = scratch[..(batch * hp)];
            PackedMatMul.Multiply(bw.ProjectionT, dh, ss, batch, dm, hp);
        }

        // Peephole gradients are summed over all steps afterwards, in one fixed order.
        LstmBackwardEpilogue.Backward(
            gates, dm, saved.CellBefore, saved.CellAfter, w.Peephole, dc, gradients.Gates, gradients.GatesStride, default, batch, hp, w.Epilogue);
        PackedMatMul.Multiply(bw.RecurrentT, gradients.Gates, gradients.GatesStride, batch, dh, ss);
    }

    private static void GruBackward(CellWeights w, BackwardWeights bw, ReadOnlySpan<float> gates, StepHistory saved, StepGradients gradients, Span<float> dh, int batch)
    {
        GruBackwardEpilogue.Backward(
            gates, saved.HiddenGates, saved.HiddenBefore, dh, gradients.Gates, gradients.HiddenGates, gradients.GatesStride, batch, w.PaddedUnits, w.Epilogue);
        PackedMatMul.MultiplyAdd(bw.RecurrentT, gradients.HiddenGates, gradients.HiddenGatesStride, batch, dh, w.StateStride);
    }

    private static void GruResetBeforeBackward(CellWeights w, BackwardWeights bw, ReadOnlySpan<float> gates, StepHistory saved, StepGradients gradients, Span<float> dh, Span<float> scratch, int batch)
    {
        int hp = w.PaddedUnits;
        Span<float> dResetHidden = scratch[..(batch * hp)]; // [batch, Hp] gradient of r ⊙ h
        GruBackwardEpilogue.CandidateBackward(
            gates, saved.HiddenBefore, dh, gradients.Gates, gradients.GatesStride, gradients.Candidate, gradients.CandidateStride, batch, hp, w.Epilogue);
        PackedMatMul.Multiply(bw.CandidateT!, gradients.Candidate, gradients.CandidateStride, batch, dResetHidden, hp);
        GruBackwardEpilogue.ResetBackward(
            gates, saved.HiddenBefore, dResetHidden, hp, dh, gradients.Gates, gradients.GatesStride, gradients.HiddenGates, gradients.HiddenGatesStride, batch, hp,
            w.Epilogue);
        PackedMatMul.MultiplyAdd(bw.RecurrentT, gradients.HiddenGates, gradients.HiddenGatesStride, batch, dh, w.StateStride);
    }
}

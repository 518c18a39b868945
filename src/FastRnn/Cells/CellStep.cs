using System;
using FastRnn.Kernels;
using FastRnn.Networks;

namespace FastRnn.Cells;

/// <summary>
/// One time step of one cell for a block of batch rows, after the input projection: forward, the
/// recurrent product(s) and the fused epilogue, updating h (and c) in place; backward, the same
/// step in reverse, from the gradient of the new h (and c) to that of the old.
/// </summary>
internal static class CellStep
{
    /// <summary>Advances <paramref name="batch"/> rows by one step.</summary>
    /// <param name="w">The layer-direction weights.</param>
    /// <param name="gates">[batch, GateStride] W_ih x for this step in packed order; consumed (holds activations afterwards).</param>
    /// <param name="h">[batch, StateStride] hidden state, read then overwritten.</param>
    /// <param name="c">[batch, Hp] cell state (LSTM), read then overwritten; empty otherwise.</param>
    /// <param name="buffers">Where the intermediate products go (see <see cref="StepBuffers"/>).</param>
    /// <param name="batch">Rows.</param>
    /// <param name="threads">Threads that share each product by output panels (a step of few rows), or null for the calling thread alone.</param>
    public static void Forward(CellWeights w, Span<float> gates, Span<float> h, Span<float> c, StepBuffers buffers, int batch, ProductThreads? threads = null)
    {
        switch (w.Kind)
        {
            case CellKind.Lstm:
                Lstm(w, gates, h, c, buffers.Unprojected, batch, threads);
                break;
            case CellKind.Gru when w.ResetBefore:
                GruResetBefore(w, gates, h, buffers, batch, threads);
                break;
            case CellKind.Gru:
                Gru(w, gates, h, buffers.HiddenGates, batch, threads);
                break;
            default:
                // Activated in place, so the gate buffer holds what backward needs, as for the other cells.
                Product(threads, w.Recurrent, h, w.StateStride, batch, gates, w.GateStride, accumulate: true);
                RnnEpilogue.Forward(gates, w.GateStride, w.Bias, gates, batch, w.Epilogue);
                gates[..(batch * w.GateStride)].CopyTo(h);
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
                int gs = w.GateStride;
                RnnBackwardEpilogue.Backward(gates, dh, gradients.Gates, gs, batch, w.Epilogue);
                PackedMatMul.Multiply(bw.RecurrentT, gradients.Gates, gs, batch, dh, w.StateStride);
                break;
            }
        }
    }

    /// <summary>
    /// One product of a forward step: on the given threads, or on the calling thread. The epilogues
    /// between products stay on the calling thread: O(H) beside the product's O(G·H²), they would
    /// not pay for another hand-off.
    /// </summary>
    public static void Product(ProductThreads? threads, PackedMatrix w, ReadOnlySpan<float> x, int xStride, int batch, Span<float> y, int yStride, bool accumulate)
    {
        if (threads is null)
        {
            ProductThreads.OnCallingThread(w, x, xStride, batch, y, yStride, accumulate);
        }
        else
        {
            threads.Run(w, x, xStride, batch, y, yStride, accumulate);
        }
    }

    private static void Lstm(CellWeights w, Span<float> gates, Span<float> h, Span<float> c, Span<float> unprojected, int batch, ProductThreads? threads)
    {
        int hp = w.PaddedUnits;
        Product(threads, w.Recurrent, h, w.StateStride, batch, gates, w.GateStride, accumulate: true);
        if (w.Projection is null)
        {
            LstmEpilogue.Forward(gates, w.Bias, w.Peephole, c, c, h, batch, hp, w.Epilogue);
            return;
        }

        unprojected = unprojected[..(batch * hp)]; // [batch, Hp] o * tanh(c')
        LstmEpilogue.Forward(gates, w.Bias, w.Peephole, c, c, unprojected, batch, hp, w.Epilogue);
        Product(threads, w.Projection, unprojected, hp, batch, h, w.StateStride, accumulate: false);
    }

    private static void Gru(CellWeights w, Span<float> gates, Span<float> h, Span<float> hiddenGates, int batch, ProductThreads? threads)
    {
        hiddenGates = hiddenGates[..(batch * w.GateStride)]; // [batch, 3*Hp] W_hh h
        Product(threads, w.Recurrent, h, w.StateStride, batch, hiddenGates, w.GateStride, accumulate: false);
        GruEpilogue.Forward(gates, hiddenGates, w.InputBias, w.HiddenBias, h, h, batch, w.PaddedUnits, w.Epilogue);
    }

    private static void GruResetBefore(CellWeights w, Span<float> gates, Span<float> h, StepBuffers buffers, int batch, ProductThreads? threads)
    {
        int hp = w.PaddedUnits;
        int candidateStride = w.Candidate!.PaddedRows;
        Span<float> hiddenGates = buffers.HiddenGates[..(batch * 2 * hp)];          // [batch, 2*Hp] W_h{r,z} h
        Span<float> resetHidden = buffers.ResetHidden[..(batch * hp)];              // [batch, Hp] r ⊙ h
        Span<float> candidate = buffers.Candidate[..(batch * candidateStride)];     // [batch, Hn] W_hn (r ⊙ h)
        Product(threads, w.Recurrent, h, w.StateStride, batch, hiddenGates, 2 * hp, accumulate: false);
        GruResetBeforeEpilogue.Gates(gates, hiddenGates, w.InputBias, w.HiddenBias, h, resetHidden, batch, hp, w.Epilogue);
        Product(threads, w.Candidate, resetHidden, hp, batch, candidate, candidateStride, accumulate: false);
        GruResetBeforeEpilogue.State(gates, candidate, candidateStride, w.InputBias, w.HiddenBias, h, h, batch, hp, w.Epilogue);
    }

    private static void LstmBackward(CellWeights w, BackwardWeights bw, ReadOnlySpan<float> gates, StepHistory saved, StepGradients gradients, Span<float> dh, Span<float> dc, Span<float> scratch, int batch)
    {
        int hp = w.PaddedUnits, ss = w.StateStride;
        Span<float> dm = dh; // [batch, Hp] gradient of o ⊙ tanh(c'): dh itself without projection
        if (bw.ProjectionT is not null)
        {
            dh.CopyTo(gradients.State);
            dm = scratch[..(batch * hp)];
            PackedMatMul.Multiply(bw.ProjectionT, dh, ss, batch, dm, hp);
        }

        // Peephole gradients are summed over all steps afterwards, in one fixed order.
        LstmBackwardEpilogue.Backward(gates, dm, saved.CellBefore, saved.CellAfter, w.Peephole, dc, gradients.Gates, default, batch, hp, w.Epilogue);
        PackedMatMul.Multiply(bw.RecurrentT, gradients.Gates, w.GateStride, batch, dh, ss);
    }

    private static void GruBackward(CellWeights w, BackwardWeights bw, ReadOnlySpan<float> gates, StepHistory saved, StepGradients gradients, Span<float> dh, int batch)
    {
        GruBackwardEpilogue.Backward(gates, saved.HiddenGates, saved.HiddenBefore, dh, gradients.Gates, gradients.HiddenGates, batch, w.PaddedUnits, w.Epilogue);
        PackedMatMul.MultiplyAdd(bw.RecurrentT, gradients.HiddenGates, w.GateStride, batch, dh, w.StateStride);
    }

    private static void GruResetBeforeBackward(CellWeights w, BackwardWeights bw, ReadOnlySpan<float> gates, StepHistory saved, StepGradients gradients, Span<float> dh, Span<float> scratch, int batch)
    {
        int hp = w.PaddedUnits;
        Span<float> dResetHidden = scratch[..(batch * hp)]; // [batch, Hp] gradient of r ⊙ h
        GruBackwardEpilogue.CandidateBackward(gates, saved.HiddenBefore, dh, gradients.Gates, gradients.Candidate, hp, batch, hp, w.Epilogue);
        PackedMatMul.Multiply(bw.CandidateT!, gradients.Candidate, hp, batch, dResetHidden, hp);
        GruBackwardEpilogue.ResetBackward(gates, saved.HiddenBefore, dResetHidden, hp, dh, gradients.Gates, gradients.HiddenGates, batch, hp, w.Epilogue);
        PackedMatMul.MultiplyAdd(bw.RecurrentT, gradients.HiddenGates, w.HiddenGateStride, batch, dh, w.StateStride);
    }
}

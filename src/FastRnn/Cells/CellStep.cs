using System;
using FastRnn.Kernels;
using FastRnn.Networks;

namespace FastRnn.Cells;

/// <summary>
/// One time step of one cell for a block of batch rows, after the input projection:
/// the recurrent product(s) and the fused epilogue, updating h (and c) in place.
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
    public static void Forward(CellWeights w, Span<float> gates, Span<float> h, Span<float> c, StepBuffers buffers, int batch)
    {
        switch (w.Kind)
        {
            case CellKind.Lstm:
                Lstm(w, gates, h, c, buffers.Unprojected, batch);
                break;
            case CellKind.Gru when w.Variant == CellVariant.ResetBefore:
                GruResetBefore(w, gates, h, buffers, batch);
                break;
            case CellKind.Gru:
                Gru(w, gates, h, buffers.HiddenGates, batch);
                break;
            default:
                // Activated in place, so the gate buffer holds what backward needs, as for the other cells.
                PackedMatMul.MultiplyAdd(w.Recurrent, h, w.StateStride, batch, gates, w.GateStride);
                RnnEpilogue.Forward(gates, w.GateStride, w.Bias, gates, batch, w.Epilogue);
                gates[..(batch * w.GateStride)].CopyTo(h);
                break;
        }
    }

    private static void Lstm(CellWeights w, Span<float> gates, Span<float> h, Span<float> c, Span<float> unprojected, int batch)
    {
        int hp = w.PaddedUnits;
        PackedMatMul.MultiplyAdd(w.Recurrent, h, w.StateStride, batch, gates, w.GateStride);
        if (w.Projection is null)
        {
            LstmEpilogue.Forward(gates, w.Bias, w.Peephole, c, c, h, batch, hp, w.Epilogue);
            return;
        }

        unprojected = unprojected[..(batch * hp)]; // [batch, Hp] o * tanh(c')
        LstmEpilogue.Forward(gates, w.Bias, w.Peephole, c, c, unprojected, batch, hp, w.Epilogue);
        PackedMatMul.Multiply(w.Projection, unprojected, hp, batch, h, w.StateStride);
    }

    private static void Gru(CellWeights w, Span<float> gates, Span<float> h, Span<float> hiddenGates, int batch)
    {
        hiddenGates = hiddenGates[..(batch * w.GateStride)]; // [batch, 3*Hp] W_hh h
        PackedMatMul.Multiply(w.Recurrent, h, w.StateStride, batch, hiddenGates, w.GateStride);
        GruEpilogue.Forward(gates, hiddenGates, w.InputBias, w.HiddenBias, h, h, batch, w.PaddedUnits, w.Epilogue);
    }

    private static void GruResetBefore(CellWeights w, Span<float> gates, Span<float> h, StepBuffers buffers, int batch)
    {
        int hp = w.PaddedUnits;
        int candidateStride = w.Candidate!.PaddedRows;
        Span<float> hiddenGates = buffers.HiddenGates[..(batch * 2 * hp)];          // [batch, 2*Hp] W_h{r,z} h
        Span<float> resetHidden = buffers.ResetHidden[..(batch * hp)];              // [batch, Hp] r ⊙ h
        Span<float> candidate = buffers.Candidate[..(batch * candidateStride)];     // [batch, Hn] W_hn (r ⊙ h)
        PackedMatMul.Multiply(w.Recurrent, h, w.StateStride, batch, hiddenGates, 2 * hp);
        GruResetBeforeEpilogue.Gates(gates, hiddenGates, w.InputBias, w.HiddenBias, h, resetHidden, batch, hp, w.Epilogue);
        PackedMatMul.Multiply(w.Candidate, resetHidden, hp, batch, candidate, candidateStride);
        GruResetBeforeEpilogue.State(gates, candidate, candidateStride, w.InputBias, w.HiddenBias, h, h, batch, hp, w.Epilogue);
    }
}

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
    /// <param name="scratch">[batch, ScratchPerRow] working memory.</param>
    /// <param name="batch">Rows.</param>
    public static void Forward(CellWeights w, Span<float> gates, Span<float> h, Span<float> c, Span<float> scratch, int batch)
    {
        switch (w.Kind)
        {
            case CellKind.Lstm:
                Lstm(w, gates, h, c, scratch, batch);
                break;
            case CellKind.Gru when w.Variant == CellVariant.ResetBefore:
                GruResetBefore(w, gates, h, scratch, batch);
                break;
            case CellKind.Gru:
                Gru(w, gates, h, scratch, batch);
                break;
            default:
                PackedMatMul.MultiplyAdd(w.Recurrent, h, w.StateStride, batch, gates, w.GateStride);
                RnnEpilogue.Forward(gates, w.GateStride, w.Bias, h, batch, w.Kind == CellKind.RnnRelu ? RnnActivation.Relu : RnnActivation.Tanh);
                break;
        }
    }

    private static void Lstm(CellWeights w, Span<float> gates, Span<float> h, Span<float> c, Span<float> scratch, int batch)
    {
        int hp = w.PaddedUnits;
        PackedMatMul.MultiplyAdd(w.Recurrent, h, w.StateStride, batch, gates, w.GateStride);
        if (w.Projection is null)
        {
            LstmEpilogue.Forward(gates, w.Bias, w.Peephole, c, c, h, batch, hp);
            return;
        }

        Span<float> unprojected = scratch[..(batch * hp)]; // [batch, Hp] o * tanh(c')
        LstmEpilogue.Forward(gates, w.Bias, w.Peephole, c, c, unprojected, batch, hp);
        h[..(batch * w.StateStride)].Clear();
        PackedMatMul.MultiplyAdd(w.Projection, unprojected, hp, batch, h, w.StateStride);
    }

    private static void Gru(CellWeights w, Span<float> gates, Span<float> h, Span<float> scratch, int batch)
    {
        Span<float> hiddenGates = scratch[..(batch * w.GateStride)]; // [batch, 3*Hp] W_hh h
        hiddenGates.Clear();
        PackedMatMul.MultiplyAdd(w.Recurrent, h, w.StateStride, batch, hiddenGates, w.GateStride);
        GruEpilogue.Forward(gates, hiddenGates, w.InputBias, w.HiddenBias, h, h, batch, w.PaddedUnits);
    }

    private static void GruResetBefore(CellWeights w, Span<float> gates, Span<float> h, Span<float> scratch, int batch)
    {
        int hp = w.PaddedUnits;
        int candidateStride = w.Candidate!.PaddedRows;
        Span<float> hiddenGates = scratch[..(batch * 2 * hp)];                                  // [batch, 2*Hp] W_h{r,z} h
        Span<float> resetHidden = scratch.Slice(batch * 2 * hp, batch * hp);                    // [batch, Hp] r ⊙ h
        Span<float> candidate = scratch.Slice(batch * 3 * hp, batch * candidateStride);         // [batch, Hn] W_hn (r ⊙ h)
        hiddenGates.Clear();
        PackedMatMul.MultiplyAdd(w.Recurrent, h, w.StateStride, batch, hiddenGates, 2 * hp);
        GruResetBeforeEpilogue.Gates(gates, hiddenGates, w.InputBias, w.HiddenBias, h, resetHidden, batch, hp);
        candidate.Clear();
        PackedMatMul.MultiplyAdd(w.Candidate, resetHidden, hp, batch, candidate, candidateStride);
        GruResetBeforeEpilogue.State(gates, candidate, candidateStride, w.InputBias, w.HiddenBias, h, h, batch, hp);
    }
}

using System;

namespace FastRnn.Cells;

/// <summary>
/// Where a cell step puts its intermediate products. Inference points them at scratch; training
/// points the ones backward needs at that step's slot of the saved history.
/// </summary>
internal ref struct StepBuffers
{
    /// <summary>LSTM with projection: [batch, Hp] o ⊙ tanh(c') before W_hr.</summary>
    public Span<float> Unprojected;

    /// <summary>GRU: [batch, 3*Hp] W_hh h (+ b_hh in the n slot); reset-before: [batch, 2*Hp] W_h{r,z} h.</summary>
    public Span<float> HiddenGates;

    /// <summary>Reset-before GRU: [batch, Hp] r ⊙ h.</summary>
    public Span<float> ResetHidden;

    /// <summary>Reset-before GRU: [batch, Hn] W_hn (r ⊙ h).</summary>
    public Span<float> Candidate;

    /// <summary>Carves the buffers a step of <paramref name="w"/> needs out of one scratch span.</summary>
    public static StepBuffers FromScratch(CellWeights w, Span<float> scratch, int batch)
    {
        var buffers = default(StepBuffers);
        int hp = w.PaddedUnits;
        switch (w.Kind)
        {
            case CellKind.Lstm when w.Projection is not null:
                buffers.Unprojected = scratch[..(batch * hp)];
                break;
            case CellKind.Gru when w.ResetBefore:
                buffers.HiddenGates = scratch[..(batch * 2 * hp)];
                buffers.ResetHidden = scratch.Slice(batch * 2 * hp, batch * hp);
                buffers.Candidate = scratch.Slice(batch * 3 * hp, batch * w.Candidate.PaddedRows);
                break;
            case CellKind.Gru:
                buffers.HiddenGates = scratch[..(batch * w.GateStride)];
                break;
        }

        return buffers;
    }

    /// <summary>The rows [<paramref name="first"/>, first + <paramref name="rows"/>) of each buffer of a step of <paramref name="w"/>.</summary>
    public readonly StepBuffers Rows(CellWeights w, int first, int rows)
    {
        int hp = w.PaddedUnits;
        int hiddenGates = w.ResetBefore ? 2 * hp : w.GateStride; // reset-before: W_h{r,z} h only
        return new StepBuffers
        {
            Unprojected = RowsOf(Unprojected, hp, first, rows),
            HiddenGates = RowsOf(HiddenGates, hiddenGates, first, rows),
            ResetHidden = RowsOf(ResetHidden, hp, first, rows),
            Candidate = RowsOf(Candidate, w.Candidate?.PaddedRows ?? 0, first, rows),
        };
    }

    // An unused buffer stays empty.
    private static Span<float> RowsOf(Span<float> buffer, int stride, int first, int rows) =>
        buffer.IsEmpty ? buffer : buffer.Slice(first * stride, rows * stride);
}

using System;

namespace FastRnn.Cells;

/// <summary>
/// What a training forward step kept for its backward step (see <see cref="CellStep.Backward"/>);
/// the buffers a cell kind does not use stay empty.
/// </summary>
internal ref struct StepHistory
{
    /// <summary>[batch, StateStride] h entering the step.</summary>
    public ReadOnlySpan<float> HiddenBefore;

    /// <summary>LSTM: [batch, Hp] c entering the step.</summary>
    public ReadOnlySpan<float> CellBefore;

    /// <summary>LSTM: [batch, Hp] c leaving the step.</summary>
    public ReadOnlySpan<float> CellAfter;

    /// <summary>GRU (reset after): [batch, 3*Hp] W_hh h (+ b_hh in the n slot), as <see cref="StepBuffers.HiddenGates"/> held it.</summary>
    public ReadOnlySpan<float> HiddenGates;
}

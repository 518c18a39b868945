using System;

namespace FastRnn.Cells;

/// <summary>
/// Where a backward step (see <see cref="CellStep.Backward"/>) writes the gradients the
/// whole-sequence weight products read afterwards; the buffers a cell kind does not use stay empty.
/// </summary>
internal ref struct StepGradients
{
    /// <summary>[batch, GateStride] δ of the gate pre-activations, input side (W_ih x + b).</summary>
    public Span<float> Gates;

    /// <summary>
    /// GRU: [batch, HiddenGateStride] δ of the recurrent products where they differ from the input
    /// side (W_hh h; reset-before W_h{r,z} h).
    /// </summary>
    public Span<float> HiddenGates;

    /// <summary>Reset-before GRU: [batch, Hp] δ of W_hn (r ⊙ h).</summary>
    public Span<float> Candidate;

    /// <summary>LSTM with projection: [batch, StateStride] δ of the projected h (for dW_hr).</summary>
    public Span<float> State;
}

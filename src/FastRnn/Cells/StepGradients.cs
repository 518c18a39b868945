using System;

namespace FastRnn.Cells;

/// <summary>
/// Where a backward step (see <see cref="CellStep.Backward"/>) writes the gradients the
/// whole-sequence weight products read afterwards; the buffers a cell kind does not use stay empty.
/// </summary>
/// <remarks>
/// Each buffer has its own row stride: the training workspace pads rows whose length is an even
/// number of cache lines by one line, so the weight-gradient products, which read one column
/// down many rows, do not find every row in the same few L1 sets (see
/// <c>TrainingWorkspace.GradientStride</c>).
/// </remarks>
internal ref struct StepGradients
{
    /// <summary>[batch, GatesStride] δ of the gate pre-activations, input side (W_ih x + b), in the first GateStride of each row.</summary>
    public Span<float> Gates;

    public int GatesStride;

    /// <summary>
    /// GRU: [batch, HiddenGatesStride] δ of the recurrent products where they differ from the input
    /// side (W_hh h; reset-before W_h{r,z} h).
    /// </summary>
    public Span<float> HiddenGates;

    public int HiddenGatesStride;

    /// <summary>Reset-before GRU: [batch, CandidateStride] δ of W_hn (r ⊙ h).</summary>
    public Span<float> Candidate;

    public int CandidateStride;

    /// <summary>LSTM with projection: [batch, StateStride] δ of the projected h (for dW_hr).</summary>
    public Span<float> State;

    public int StateStride;
}

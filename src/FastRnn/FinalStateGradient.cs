using System;

namespace FastRnn;

/// <summary>
/// The gradient of the loss with respect to a whole-sequence call's final state, dL/dh_n and
/// dL/dc_n for an LSTM, passed into a backward pass (PyTorch's gradients of <c>(h_n, c_n)</c>).
/// </summary>
/// <remarks>
/// A type of its own, like <see cref="InitialStateGradient"/> and the input gradient's plain span,
/// so that a backward call with its arguments in the wrong places does not compile: with spans,
/// <c>Backward(dy, gradients, dx)</c> would have read the intended input gradient as dL/dh_n.
/// The default value is a zero gradient.
/// </remarks>
/// <param name="hidden">[L*D, B, H_out] dL/dh_n, or empty for zero.</param>
/// <param name="cell">[L*D, B, H] dL/dc_n (LSTM only), or empty for zero.</param>
public readonly ref struct FinalStateGradient(ReadOnlySpan<float> hidden, ReadOnlySpan<float> cell = default)
{
    /// <summary>[L*D, B, H_out] dL/dh_n, or empty for zero.</summary>
    public ReadOnlySpan<float> Hidden { get; } = hidden;

    /// <summary>[L*D, B, H] dL/dc_n (LSTM only), or empty for zero.</summary>
    public ReadOnlySpan<float> Cell { get; } = cell;
}

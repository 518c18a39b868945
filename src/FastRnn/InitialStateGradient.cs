using System;

namespace FastRnn;

/// <summary>
/// Where a backward pass writes the gradient of the loss with respect to the initial state,
/// dL/dh_0 and dL/dc_0 for an LSTM (PyTorch's <c>h_0.grad</c> and <c>c_0.grad</c>).
/// </summary>
/// <remarks>
/// A type of its own so that it cannot take the place of the input gradient or of
/// <see cref="FinalStateGradient"/> (see there). The default value writes nothing.
/// </remarks>
/// <param name="hidden">[L*D, B, H_out] receives dL/dh_0, or empty to skip.</param>
/// <param name="cell">[L*D, B, H] receives dL/dc_0 (LSTM only), or empty to skip.</param>
public readonly ref struct InitialStateGradient(Span<float> hidden, Span<float> cell = default)
{
    /// <summary>[L*D, B, H_out] receives dL/dh_0, or empty to skip.</summary>
    public Span<float> Hidden { get; } = hidden;

    /// <summary>[L*D, B, H] receives dL/dc_0 (LSTM only), or empty to skip.</summary>
    public Span<float> Cell { get; } = cell;
}

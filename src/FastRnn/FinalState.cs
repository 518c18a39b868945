using System;

namespace FastRnn;

/// <summary>
/// Where a whole-sequence call writes its final state: h_n, and c_n for an LSTM (PyTorch's <c>(h_n, c_n)</c>).
/// </summary>
/// <remarks>
/// A type of its own, distinct from <see cref="InitialState"/>, so that passing a start state where
/// the final one is written does not compile (see there). The default value writes nothing.
/// A final state may be exactly the buffers of the initial state, for in-place updates.
/// </remarks>
/// <param name="hidden">[L*D, B, H_out] receives h_n, or empty to skip.</param>
/// <param name="cell">[L*D, B, H] receives c_n (LSTM only), or empty to skip.</param>
public readonly ref struct FinalState(Span<float> hidden, Span<float> cell = default)
{
    /// <summary>[L*D, B, H_out] receives h_n, or empty to skip.</summary>
    public Span<float> Hidden { get; } = hidden;

    /// <summary>[L*D, B, H] receives c_n (LSTM only), or empty to skip.</summary>
    public Span<float> Cell { get; } = cell;
}

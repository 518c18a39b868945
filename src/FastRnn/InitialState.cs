using System;

namespace FastRnn;

/// <summary>
/// The state a whole-sequence call starts from: h_0, and c_0 for an LSTM (PyTorch's <c>(h_0, c_0)</c>).
/// </summary>
/// <remarks>
/// The initial and the final state are two types, not four float spans in a row, so that
/// mixing them up does not compile: with spans, <c>Forward(ws, x, T, B, y, h0, c0)</c> in PyTorch's
/// order would have passed h_0 where h_n is written, ignored it as a start and overwritten it.
/// The default value starts from zeros.
/// </remarks>
/// <param name="hidden">[L*D, B, H_out] h_0, or empty for zeros.</param>
/// <param name="cell">[L*D, B, H] c_0 (LSTM only), or empty for zeros.</param>
public readonly ref struct InitialState(ReadOnlySpan<float> hidden, ReadOnlySpan<float> cell = default)
{
    /// <summary>[L*D, B, H_out] h_0, or empty for zeros.</summary>
    public ReadOnlySpan<float> Hidden { get; } = hidden;

    /// <summary>[L*D, B, H] c_0 (LSTM only), or empty for zeros.</summary>
    public ReadOnlySpan<float> Cell { get; } = cell;
}

namespace FastRnn.Training.Models;

/// <summary>
/// One batch for a <see cref="SequenceModel"/>, time-major. Set exactly one input (features or
/// tokens) and exactly one target kind (values for regression, classes for classification).
/// </summary>
public readonly ref struct SequenceBatch
{
    /// <summary>T.</summary>
    public int Steps { get; init; }

    /// <summary>B.</summary>
    public int Batch { get; init; }

    /// <summary>[T, B, I] inputs, for models without an embedding.</summary>
    public System.ReadOnlySpan<float> Features { get; init; }

    /// <summary>[T, B] token ids, for models with an embedding.</summary>
    public System.ReadOnlySpan<int> Tokens { get; init; }

    /// <summary>
    /// Regression targets: [T, B, Out] (every step) or [B, Out] (last step); mean squared error,
    /// averaged over the valid steps when <see cref="Lengths"/> is given (values past a row's length are ignored).
    /// </summary>
    public System.ReadOnlySpan<float> TargetValues { get; init; }

    /// <summary>Class targets: [T, B] (every step; -1 to ignore a position) or [B] (last step); softmax cross-entropy.</summary>
    public System.ReadOnlySpan<int> TargetClasses { get; init; }

    /// <summary>[B] valid steps per sequence, or empty for all T. Target values at padded steps are ignored; class targets there count unless they are -1.</summary>
    public System.ReadOnlySpan<int> Lengths { get; init; }

    /// <summary>[L*D, B, H_out] initial hidden state (stateful training), or empty for zeros.</summary>
    public System.ReadOnlySpan<float> InitialHidden { get; init; }

    /// <summary>[L*D, B, H] initial cell state (LSTM), or empty for zeros.</summary>
    public System.ReadOnlySpan<float> InitialCell { get; init; }
}

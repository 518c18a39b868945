namespace FastRnn.Tests.Reference;

/// <summary>Everything one cell step computed that its backward needs.</summary>
internal sealed class ReferenceStep
{
    /// <summary>Cell input x.</summary>
    public required double[] X { get; init; }

    /// <summary>Previous hidden state h (OutputHidden).</summary>
    public required double[] HPrev { get; init; }

    /// <summary>Previous cell state c (LSTM only).</summary>
    public double[]? CPrev { get; init; }

    /// <summary>RNN/LSTM: gate pre-activations (G*H). GRU: unused.</summary>
    public double[]? Pre { get; init; }

    /// <summary>Gate values after their activations (G*H): LSTM i,f,g,o; GRU r,z,n; RNN h'.</summary>
    public required double[] Gates { get; init; }

    /// <summary>GRU: W_hn h + b_hn (standard) or W_hn (r*h) + b_hn (reset_before).</summary>
    public double[]? HiddenN { get; init; }

    /// <summary>GRU reset_before: r*h.</summary>
    public double[]? ResetH { get; init; }

    /// <summary>LSTM: tanh(c').</summary>
    public double[]? TanhC { get; init; }

    /// <summary>LSTM: o * tanh(c'), the hidden value before projection.</summary>
    public double[]? M { get; init; }

    /// <summary>New hidden state h' (OutputHidden).</summary>
    public required double[] HNew { get; init; }

    /// <summary>New cell state c' (LSTM only).</summary>
    public double[]? CNew { get; init; }
}

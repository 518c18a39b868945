using System;
using FastRnn.Heads;
using FastRnn.Kernels;

namespace FastRnn.IO;

/// <summary>
/// Which parts of a module's <c>state_dict</c> to load with <see cref="ModuleFile"/>, and the facts
/// its names and shapes do not record.
/// </summary>
public sealed record ModuleLoadOptions
{
    /// <summary>
    /// The recurrent layer's name prefix, e.g. <c>rnn.</c> for <c>self.rnn = nn.LSTM(...)</c> or
    /// <c>encoder.lstm.</c> when nested; empty for a bare <c>nn.LSTM</c>'s <c>state_dict</c>. A
    /// missing final dot is added (<c>rnn</c> means <c>rnn.</c>).
    /// </summary>
    public required string RnnPrefix { get; init; }

    /// <summary>The dense head's prefix (<c>weight</c> [C, D·H_out]: the network's output size, both directions of a bidirectional one; optional <c>bias</c> [C]), e.g. <c>head.</c>; null for no head.</summary>
    public string? HeadPrefix { get; init; }

    /// <summary>What the head applies after W x + b (none, sigmoid, softmax over the last dimension).</summary>
    public HeadActivation HeadActivation { get; init; } = HeadActivation.None;

    /// <summary>
    /// A vanilla RNN's activation, which the weights cannot tell: required when the layer is an RNN
    /// (its gate rows are H) unless the file's metadata records it (a FastRnn network file at the
    /// empty prefix; given, it must agree), refused for an LSTM or GRU.
    /// </summary>
    public RnnNonlinearity? Nonlinearity { get; init; }

    /// <summary>
    /// Whether inputs and outputs are [B, T, features] (PyTorch <c>batch_first=True</c>): a call-layout
    /// choice, not in the weights. A FastRnn network file at the empty prefix that records
    /// <c>batch_first</c> loads batch-first whatever this says.
    /// </summary>
    public bool BatchFirst { get; init; }

    /// <summary>How the recurrent weight matrices are stored for the kernels (see <see cref="Networks.RecurrentNetwork.WithWeightFormat"/>); the head stays float32.</summary>
    public WeightFormat WeightFormat { get; init; } = WeightFormat.Float32;

    /// <summary>
    /// Keep the recurrent network's matrices only packed for the kernels, for a process that only
    /// serves the model (see <see cref="Networks.RecurrentNetwork.IsInferenceOnly"/>).
    /// </summary>
    public bool InferenceOnly { get; init; }

    /// <summary>
    /// Whether tensors outside both prefixes (an embedding, a norm layer, ...) are skipped and listed
    /// in <see cref="LoadedModule.IgnoredTensors"/>; when false they are refused, listed in the error.
    /// </summary>
    public bool IgnoreOtherTensors { get; init; }

    /// <summary>Checks the options and returns the prefixes with their final dots.</summary>
    internal (string Rnn, string? Head) NormalizedPrefixes()
    {
        ArgumentNullException.ThrowIfNull(RnnPrefix);
        if (!Enum.IsDefined(HeadActivation))
        {
            throw new ArgumentOutOfRangeException(nameof(HeadActivation), HeadActivation, "Expected None, Sigmoid or Softmax.");
        }

        if (Nonlinearity is RnnNonlinearity nonlinearity && !Enum.IsDefined(nonlinearity))
        {
            throw new ArgumentOutOfRangeException(nameof(Nonlinearity), nonlinearity, "Expected Tanh, Relu or null.");
        }

        if (!Enum.IsDefined(WeightFormat))
        {
            throw new ArgumentOutOfRangeException(nameof(WeightFormat), WeightFormat, "Expected Float32, BFloat16 or Int8.");
        }

        string rnn = WithDot(RnnPrefix);
        string? head = HeadPrefix is null ? null : WithDot(HeadPrefix);
        if (head is not null && head.Length == 0)
        {
            throw new ArgumentException("HeadPrefix is empty; a head's tensors are '<prefix>weight' and '<prefix>bias', so give its prefix (e.g. 'head.') or null for no head.", nameof(HeadPrefix));
        }

        if (head == rnn)
        {
            throw new ArgumentException($"RnnPrefix and HeadPrefix are both '{rnn}'; the recurrent layer and the head are different modules.", nameof(HeadPrefix));
        }

        return (rnn, head);
    }

    private static string WithDot(string prefix) =>
        prefix.Length == 0 || prefix.EndsWith('.') ? prefix : prefix + ".";
}

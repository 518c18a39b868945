using FastRnn.Networks;

namespace FastRnn.Training.Models;

/// <summary>Where a <see cref="SequenceModel"/>'s dense head reads the recurrent network.</summary>
public enum HeadPlacement
{
    /// <summary>On every step's output: many-to-many (taggers, language models, time series).</summary>
    EveryStep,

    /// <summary>
    /// On the final state: many-to-one (sequence classification). The head reads the top layer's
    /// h_n, PyTorch's <c>torch.cat([h_n[-2], h_n[-1]], dim=1)</c> for a bidirectional network (forward
    /// first): the forward direction after each row's last valid step (its length, not the padded
    /// step T) and the backward direction after step 0, not <c>output[len-1]</c>, whose backward half
    /// has read only one step. Its head input is [B, D*H_out].
    /// </summary>
    LastStep,
}

/// <summary>How a <see cref="SequenceModel"/> is built.</summary>
public sealed record SequenceModelOptions
{
    /// <summary>The recurrent network (time-major: <c>BatchFirst</c> must be false).</summary>
    public required NetworkDescription Network { get; init; }

    /// <summary>Vocabulary of an embedding in front of the network (its dimension is the network's input size), or 0 to feed features directly; not negative.</summary>
    public int Vocabulary { get; init; }

    /// <summary>Outputs of the dense head (classes, or regression targets).</summary>
    public required int OutputSize { get; init; }

    /// <summary>Where the head reads.</summary>
    public HeadPlacement Head { get; init; } = HeadPlacement.EveryStep;

    /// <summary>
    /// Dropout between stacked recurrent layers (PyTorch's <c>dropout</c>), in [0, 1). Like PyTorch's,
    /// it acts only between layers: on a one-layer network it has no effect.
    /// </summary>
    public float LayerDropout { get; init; }

    /// <summary>Dropout on the network's input (after the embedding), in [0, 1).</summary>
    public float InputDropout { get; init; }

    /// <summary>Dropout on what the head reads, in [0, 1).</summary>
    public float OutputDropout { get; init; }

    /// <summary>
    /// Initial bias of the gate that keeps the state (LSTM forget gate f, GRU update gate z), added
    /// to <c>bias_ih</c> after PyTorch's default initialisation. A positive value (1 is customary and larger values reach further,
    /// Jozefowicz et al. 2015) starts the cell remembering, so gradients reach far back from the
    /// first step. Must be finite. Ignored for vanilla RNNs and networks without bias.
    /// </summary>
    public float KeepGateBias { get; init; } = 3f;

    /// <summary>Seed of initialisation and dropout masks.</summary>
    public int Seed { get; init; }
}

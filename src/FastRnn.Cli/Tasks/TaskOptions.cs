using FastRnn.Networks;

namespace FastRnn.Cli.Tasks;

/// <summary>What the user asked of a training task (each task has its own defaults).</summary>
internal sealed record TaskOptions
{
    public CellKind? Cell { get; init; }

    public int? Epochs { get; init; }

    public int? Hidden { get; init; }

    /// <summary>Sequence length, for tasks that have one to choose.</summary>
    public int? Steps { get; init; }

    public int Seed { get; init; } = 1;

    /// <summary>Smaller data and fewer epochs: for tests and the demo.</summary>
    public bool Quick { get; init; }
}

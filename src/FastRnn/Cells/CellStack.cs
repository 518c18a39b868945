namespace FastRnn.Cells;

/// <summary>
/// A network's packed cells with its description: what the runners below the network facade
/// (sequence runner, streaming sessions) need, so they never reach up to <c>RecurrentNetwork</c>.
/// </summary>
internal sealed class CellStack
{
    public CellStack(NetworkDescription description, CellWeights[] cells)
    {
        Description = description;
        Cells = cells;
    }

    /// <summary>What the network is.</summary>
    public NetworkDescription Description { get; }

    /// <summary>Packed weights per layer and direction: index layer * Directions + direction.</summary>
    public CellWeights[] Cells { get; }
}

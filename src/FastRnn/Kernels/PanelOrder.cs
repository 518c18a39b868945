namespace FastRnn.Kernels;

/// <summary>
/// The way a product walks its weight panels. Every panel writes its own outputs, each with its own sums
/// over the columns in the same order, so the walk changes which weights are still in cache when the
/// next step comes, never a result.
/// </summary>
internal enum PanelOrder
{
    /// <summary>First panel to last: the order of memory.</summary>
    Ascending,

    /// <summary>Last panel to first: every other step of a step whose weights overflow the L2 (<see cref="AlternatingPanels"/>).</summary>
    Descending,
}

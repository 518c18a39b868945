using System;
using FastRnn.Kernels;
using FastRnn.Memory;

namespace FastRnn.Cells;

/// <summary>
/// One thread's share of a time step split by output rows: the panels of each product it computes
/// and the hidden units whose epilogue it runs, for every row of the batch. Panels hold every gate
/// of their units, so a share's epilogue needs only its own panels' results.
/// </summary>
/// <remarks>
/// Shares are counted in blocks of four vectors of units, the widest panel of any matrix over the
/// units (a Gates = 1 panel), so every matrix's share is whole panels and the same units. A
/// projection (over the projected size) is shared by its own panels. <see cref="Barrier"/> separates
/// the phases: the products read all of h, which the epilogues then overwrite.
/// </remarks>
internal readonly struct StepShare
{
    private const int VectorsPerBlock = 4;
    private readonly ParallelParts? threads;

    public StepShare(int part, int parts, ParallelParts? threads)
        : this(part, parts, threads, PanelOrder.Ascending)
    {
    }

    private StepShare(int part, int parts, ParallelParts? threads, PanelOrder order)
    {
        Part = part;
        Parts = parts;
        this.threads = threads;
        Order = order;
    }

    /// <summary>The whole step on the calling thread.</summary>
    public static StepShare Whole => new(0, 1, null);

    /// <summary>Which way this share's products walk their panels (no result depends on it).</summary>
    public PanelOrder Order { get; }

    /// <summary>This share, 0..Parts - 1.</summary>
    public int Part { get; }

    /// <summary>Shares of the step.</summary>
    public int Parts { get; }

    /// <summary>
    /// This share in time step <paramref name="step"/> of a run of steps (a sequence, a session's calls):
    /// walking its panels the other way every other step once the weights it streams in a step,
    /// <paramref name="withInput"/> the input matrix too, overflow the L2 (<see cref="AlternatingPanels"/>).
    /// </summary>
    public StepShare InStep(CellWeights w, bool withInput, long step) =>
        new(Part, Parts, threads, AlternatingPanels.For(w.StepWeightBytes(withInput) / Parts, step));

    /// <summary>The most shares a step of <paramref name="w"/> can be split into: its blocks of units.</summary>
    public static int MaxParts(CellWeights w) => Blocks(w.PaddedUnits / Isa.FloatsPerVector);

    /// <summary>This share's panels of a matrix over the cell's units (input, recurrent, GRU candidate).</summary>
    public (int First, int End) Panels(PackedMatrix w)
    {
        (int v0, int v1) = Vectors(w.PaddedUnits / w.Width);
        return (v0 / w.SubVectors, (v1 + w.SubVectors - 1) / w.SubVectors);
    }

    /// <summary>This share's panels of the projection (over the projected size).</summary>
    public (int First, int End) ProjectionPanels(PackedMatrix projection) => ParallelParts.Share(projection.Panels, Parts, Part);

    /// <summary>This share's units of every row.</summary>
    public UnitRange Units(int paddedUnits)
    {
        int width = Isa.FloatsPerVector;
        (int v0, int v1) = Vectors(paddedUnits / width);
        return new UnitRange(v0 * width, v1 * width);
    }

    /// <summary>Waits for every share to reach this phase (nothing to wait for on one thread).</summary>
    public void Barrier()
    {
        if (Parts > 1)
        {
            threads!.Barrier();
        }
    }

    private static int Blocks(int vectors) => (vectors + VectorsPerBlock - 1) / VectorsPerBlock;

    private (int First, int End) Vectors(int vectors)
    {
        (int b0, int b1) = ParallelParts.Share(Blocks(vectors), Parts, Part);
        return (b0 * VectorsPerBlock, Math.Min(b1 * VectorsPerBlock, vectors));
    }
}

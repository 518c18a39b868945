using System;
using FastRnn.Memory;

namespace FastRnn.Kernels;

/// <summary>
/// Runs one packed product on several threads, each thread a fixed share of the output panels:
/// the split a step of one stream (batch 1) needs, where rows cannot be shared. Panels write
/// disjoint output columns and each keeps its own sums, so the result is bit-identical to one
/// thread; a panel holds every gate of its units, so gate-interleaved panels stay whole.
/// </summary>
/// <remarks>
/// A thread always gets the same panels of a matrix, and the panels of one share are contiguous
/// in memory, so after the first step each core streams its share of the weights from its own
/// cache. A product too small to pay for the hand-off (a few hundred nanoseconds to start the
/// workers and see them finish) runs on the calling thread: see <see cref="PartsFor"/>.
/// One instance serves one caller at a time (a session or a workspace owns it).
/// </remarks>
internal sealed unsafe class ProductThreads
{
    /// <summary>
    /// Multiply-adds a part must have for a split to pay: below this the hand-off costs more than
    /// the share saves (measured: README, "Threads").
    /// </summary>
    public const long MinPartMultiplyAdds = 64 * 1024;

    private readonly ParallelParts parts;
    private readonly Action<int> part;

    // The product running: set by Run on the calling thread, read by the parts. Pointers, not spans
    // (a class cannot hold spans); Run keeps X and Y pinned until every part is done.
    private PackedMatrix? w;
    private float* x;        // [batch, xStride]
    private int xLength;
    private int xStride;
    private int batch;
    private float* y;        // [batch, yStride]
    private int yLength;
    private int yStride;
    private bool accumulate;
    private int count;

    /// <summary>Creates the product runner; its worker threads start on the first split product.</summary>
    /// <param name="threads">Threads a product may use, 1..64 (1: always the calling thread).</param>
    public ProductThreads(int threads)
        : this(new ParallelParts(threads))
    {
    }

    /// <summary>Creates the product runner on threads the owner also uses for other parts (never at the same time).</summary>
    /// <param name="threads">The owner's threads.</param>
    public ProductThreads(ParallelParts threads)
    {
        parts = threads;
        part = Part;
    }

    /// <summary>Threads a product may use.</summary>
    public int Threads => parts.Count;

    /// <summary>
    /// Parts a product of <paramref name="w"/> over <paramref name="batchRows"/> rows is split into:
    /// as many as have at least <see cref="MinPartMultiplyAdds"/> each, at most one per thread and per panel.
    /// </summary>
    public int PartsFor(PackedMatrix w, int batchRows)
    {
        long multiplyAdds = (long)w.PaddedRows * w.Columns * batchRows;
        long useful = Math.Max(1, multiplyAdds / MinPartMultiplyAdds);
        return (int)Math.Min(useful, Math.Min(parts.Count, w.Panels));
    }

    /// <summary>Y = W X, or Y += W X when <paramref name="accumulate"/>; arguments as <see cref="PackedMatMul.Multiply"/>.</summary>
    /// <param name="w">Weights packed for the active path.</param>
    /// <param name="x">[batch, xStride] input rows.</param>
    /// <param name="xStride">Distance between input rows.</param>
    /// <param name="batch">Rows of X and Y.</param>
    /// <param name="y">[batch, yStride] output rows in packed row order.</param>
    /// <param name="yStride">Distance between output rows.</param>
    /// <param name="accumulate">Add to Y instead of overwriting it.</param>
    public void Run(PackedMatrix w, ReadOnlySpan<float> x, int xStride, int batch, Span<float> y, int yStride, bool accumulate)
    {
        int n = PartsFor(w, batch);
        if (n <= 1)
        {
            OnCallingThread(w, x, xStride, batch, y, yStride, accumulate);
            return;
        }

        fixed (float* px = x)
        fixed (float* py = y)
        {
            this.w = w;
            this.x = px;
            xLength = x.Length;
            this.xStride = xStride;
            this.batch = batch;
            this.y = py;
            yLength = y.Length;
            this.yStride = yStride;
            this.accumulate = accumulate;
            count = n;
            try
            {
                parts.Run(part, n);
            }
            finally
            {
                this.w = null;
                this.x = this.y = null;
            }
        }
    }

    /// <summary>The same product on the calling thread alone.</summary>
    public static void OnCallingThread(PackedMatrix w, ReadOnlySpan<float> x, int xStride, int batch, Span<float> y, int yStride, bool accumulate)
    {
        if (accumulate)
        {
            PackedMatMul.MultiplyAdd(w, x, xStride, batch, y, yStride);
        }
        else
        {
            PackedMatMul.Multiply(w, x, xStride, batch, y, yStride);
        }
    }

    private void Part(int index)
    {
        PackedMatrix matrix = w!;
        (int first, int end) = ParallelParts.Share(matrix.Panels, count, index);
        var xs = new ReadOnlySpan<float>(x, xLength);
        var ys = new Span<float>(y, yLength);
        if (accumulate)
        {
            PackedMatMul.MultiplyAddPanels(matrix, first, end, xs, xStride, batch, ys, yStride);
        }
        else
        {
            PackedMatMul.MultiplyPanels(matrix, first, end, xs, xStride, batch, ys, yStride);
        }
    }
}

using System;
using FastRnn.Memory;

namespace FastRnn.Cells;

/// <summary>
/// Runs a cell step on several threads, each its <see cref="StepShare"/> of the output rows, for
/// every row of the batch: the split one stream (batch 1) needs, where rows cannot be shared, and
/// one that keeps each core's share of the weights in its own cache at any batch. Results are
/// bit-identical to one thread: every output keeps its own sums and its own epilogue.
/// </summary>
/// <remarks>
/// A thread always gets the same share of a layer, so after the first step each core streams its
/// part of the weights from its own cache. A step too small to pay for the hand-off and the
/// barriers (a fraction of a microsecond each) runs on the calling thread: see <see cref="PartsFor(CellWeights, int, bool, int)"/>.
/// One instance serves one caller at a time (a session or a workspace owns it).
/// </remarks>
internal sealed unsafe class StepThreads
{
    /// <summary>
    /// Multiply-adds a share must have for a split to pay: below this the hand-off and barriers
    /// cost more than the share saves (measured: README, "Threads").
    /// </summary>
    public const long MinPartMultiplyAdds = 64 * 1024;

    private readonly ParallelParts parts;
    private readonly Action<int> part;

    // The step running: set by Run on the calling thread, read by the shares. Pointers, not spans
    // (a class cannot hold spans); Run keeps every buffer pinned until all shares are done.
    private CellWeights? w;
    private int batch;
    private int count;
    private int xStride;
    private Pinned x;           // [batch, xStride] or empty
    private Pinned gates;       // [batch, GateStride]
    private Pinned h;           // [batch, StateStride] read by every share's products
    private Pinned hNew;        // [batch, StateStride] written by the shares' epilogues (apart from h: no barrier before them)
    private Pinned c;           // [batch, Hp] or empty
    private Pinned unprojected; // StepBuffers, each [batch, ...] or empty
    private Pinned hiddenGates;
    private Pinned resetHidden;
    private Pinned candidate;

    /// <summary>Creates the runner on threads the owner also uses for other work (never at the same time).</summary>
    /// <param name="threads">The owner's threads.</param>
    public StepThreads(ParallelParts threads)
    {
        parts = threads;
        part = Part;
    }

    /// <summary>Threads a step may use.</summary>
    public int Threads => parts.Count;

    /// <summary>
    /// Shares a step of <paramref name="w"/> over <paramref name="batch"/> rows is split into: as many
    /// as have at least <see cref="MinPartMultiplyAdds"/> each, at most one per thread and per block of units.
    /// </summary>
    public int PartsFor(CellWeights w, int batch, bool withInput) => PartsFor(w, batch, withInput, parts.Count);

    /// <summary><see cref="PartsFor(CellWeights, int, bool)"/> on <paramref name="threads"/> threads.</summary>
    public static int PartsFor(CellWeights w, int batch, bool withInput, int threads)
    {
        long perRow = w.RecurrentMultiplyAdds + (withInput ? w.InputMultiplyAdds : 0);
        long useful = perRow * batch / MinPartMultiplyAdds;
        return useful < 2 ? 1 : (int)Math.Min(useful, Math.Min(threads, StepShare.MaxParts(w)));
    }

    /// <summary>
    /// <see cref="CellStep.Forward"/> of the whole step, updating <paramref name="h"/> and <paramref name="c"/>:
    /// on <paramref name="threads"/> when it pays, otherwise on the calling thread.
    /// </summary>
    /// <param name="threads">The threads to share the step among, or null for the calling thread alone.</param>
    /// <param name="w">The layer's weights.</param>
    /// <param name="x">[batch, xStride] the step's layer input.</param>
    /// <param name="xStride">Distance between input rows.</param>
    /// <param name="gates">[batch, GateStride] room for the gates.</param>
    /// <param name="h">[batch, StateStride] hidden state, read then overwritten.</param>
    /// <param name="c">[batch, Hp] cell state (LSTM), read then overwritten; empty otherwise.</param>
    /// <param name="hNext">[batch, StateStride] where a shared step writes the new h before it is copied
    /// into <paramref name="h"/>: with the new state apart, the shares need no barrier inside the step.</param>
    /// <param name="buffers">Where the intermediate products go.</param>
    /// <param name="batch">Rows.</param>
    public static void Forward(
        StepThreads? threads, CellWeights w, ReadOnlySpan<float> x, int xStride, Span<float> gates, Span<float> h, Span<float> c, Span<float> hNext, StepBuffers buffers, int batch)
    {
        if (threads is null)
        {
            CellStep.Forward(w, x, xStride, gates, new StepState(h, c), buffers, batch, StepShare.Whole);
            return;
        }

        threads.Run(w, x, xStride, gates, h, c, hNext, buffers, batch);
    }

    private void Run(CellWeights w, ReadOnlySpan<float> x, int xStride, Span<float> gates, Span<float> h, Span<float> c, Span<float> hNext, StepBuffers buffers, int batch)
    {
        int n = PartsFor(w, batch, !x.IsEmpty);
        if (n <= 1)
        {
            CellStep.Forward(w, x, xStride, gates, new StepState(h, c), buffers, batch, StepShare.Whole);
            return;
        }

        int floats = batch * w.StateStride;
        RunShared(w, x, xStride, gates, h, c, hNext[..floats], buffers, batch, n);
        hNext[..floats].CopyTo(h);
    }

    // Apart from Run, so a step that stays on this thread does not pay for pinning eight buffers.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void RunShared(CellWeights w, ReadOnlySpan<float> x, int xStride, Span<float> gates, Span<float> h, Span<float> c, Span<float> hNew, StepBuffers buffers, int batch, int n)
    {
        fixed (float* px = x)
        fixed (float* pg = gates)
        fixed (float* ph = h)
        fixed (float* phn = hNew)
        fixed (float* pc = c)
        fixed (float* pu = buffers.Unprojected)
        fixed (float* phg = buffers.HiddenGates)
        fixed (float* pr = buffers.ResetHidden)
        fixed (float* pn = buffers.Candidate)
        {
            this.w = w;
            this.batch = batch;
            this.xStride = xStride;
            count = n;
            this.x = new Pinned(px, x.Length);
            this.gates = new Pinned(pg, gates.Length);
            this.h = new Pinned(ph, h.Length);
            this.hNew = new Pinned(phn, hNew.Length);
            this.c = new Pinned(pc, c.Length);
            unprojected = new Pinned(pu, buffers.Unprojected.Length);
            hiddenGates = new Pinned(phg, buffers.HiddenGates.Length);
            resetHidden = new Pinned(pr, buffers.ResetHidden.Length);
            candidate = new Pinned(pn, buffers.Candidate.Length);
            try
            {
                parts.Run(part, n);
            }
            finally
            {
                this.w = null;
                this.x = this.gates = this.h = this.hNew = this.c = unprojected = hiddenGates = resetHidden = candidate = default;
            }
        }
    }

    private void Part(int index)
    {
        var buffers = new StepBuffers
        {
            Unprojected = unprojected.Span, HiddenGates = hiddenGates.Span, ResetHidden = resetHidden.Span, Candidate = candidate.Span,
        };
        // c in place: each share reads and writes only its own units of it, and no one else reads it during the step.
        Span<float> cell = c.Span;
        CellStep.Forward(w!, x.Span, xStride, gates.Span, new StepState(h.Span, cell, hNew.Span, cell), buffers, batch, new StepShare(index, count, parts));
    }

    // A pinned span's address and length, for the shares to rebuild it on their threads.
    private readonly struct Pinned(float* pointer, int length)
    {
        public Span<float> Span => new(pointer, length);
    }
}

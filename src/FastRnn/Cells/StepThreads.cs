using System;
using System.Diagnostics;
using FastRnn.Memory;

namespace FastRnn.Cells;

/// <summary>
/// Runs a cell step on several threads: each its <see cref="StepShare"/> of the output rows, for
/// every row of the batch (the split one stream, batch 1, needs, where rows cannot be shared, and
/// one that keeps each core's share of the weights in its own cache), or, from
/// <see cref="MinRowsPerPart"/> rows a thread, each the whole step of its own batch rows, as many as
/// its measured speed earns it (<see cref="PartBalance"/>). Results are
/// bit-identical to one thread: every output keeps its own sums and its own epilogue, and rows are
/// independent in every kernel.
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
    /// Multiply-adds a share of a session's step must have for a split to pay: below this the
    /// hand-off, the join and the crossing of x, h and the output between the cores cost more than
    /// the share saves. Shares of 64 Ki gained up to 1.28× on the Intel Xeon but lost 11-30 % on the
    /// AMD Zen 5 of perf-results in every run; shares of 192 Ki gained 1.5-2.2× there (README, "Threads").
    /// </summary>
    public const long MinPartMultiplyAdds = 128 * 1024;

    /// <summary>
    /// Multiply-adds a share of a step inside a whole-sequence call must have: there the threads stay
    /// together for every step of a layer and direction and meet at one barrier per step, with no
    /// hand-off or join, so a share pays from a quarter of a session step's (measured: README, "Threads").
    /// </summary>
    public const long MinSequencePartMultiplyAdds = 32 * 1024;

    /// <summary>
    /// Batch rows each thread must get for a step to be split by rows instead of by output units. A
    /// thread with its own rows shares nothing within the step: no hidden state crosses cores, no
    /// second state buffer is copied back, and its rows' states stay in its core's cache. It reads all
    /// the weights instead of its share of them, once per block of four rows like any split, which
    /// pays while the weights fit its cache and, beyond it, from about this many rows, where a block
    /// of weights read from the next level serves enough rows to hide the read (set from the measured
    /// bandwidths of the CPUs in perf-results; the gain at 32 to 256 rows measured: README, "Threads").
    /// </summary>
    public const int MinRowsPerPart = 16;

    private readonly ParallelParts parts;
    private readonly PartBalance balance; // how fast each thread ran its rows: a split by rows follows it
    private readonly Action<int> part;
    private readonly Action<int> rowPart;

    // The step running: set by Run on the calling thread, read by the shares. Pointers, not spans
    // (a class cannot hold spans); Run keeps every buffer pinned until all shares are done.
    private CellWeights? w;
    private int batch;
    private int count;
    private int xStride;
    private long step;          // the caller's count of steps, for the panel order (StepShare.InStep)
    private Pinned x;           // [batch, xStride] or empty
    private Pinned gates;       // [batch, GateStride]
    private Pinned h;           // [batch, StateStride] read by every share's products
    private Pinned hNew;        // [batch, StateStride] written by the shares' epilogues (apart from h: no barrier before them)
    private Pinned c;           // [batch, Hp] or empty
    private Pinned unprojected; // StepBuffers, each [batch, ...] or empty
    private Pinned hiddenGates;
    private Pinned resetHidden;
    private Pinned candidate;
    private Pinned output;      // [batch, outputWidth] or empty: where a row split copies each row's new h
    private int outputWidth;

    /// <summary>Creates the runner on threads the owner also uses for other work (never at the same time).</summary>
    /// <param name="threads">The owner's threads.</param>
    public StepThreads(ParallelParts threads)
    {
        parts = threads;
        balance = new PartBalance(threads.Count);
        part = Part;
        rowPart = RowPart;
    }

    /// <summary>Threads a step may use.</summary>
    public int Threads => parts.Count;

    /// <summary>The threads under this runner (tests).</summary>
    public ParallelParts Workers => parts;

    /// <summary>Ends the worker threads (the owner's Dispose).</summary>
    public void Stop() => parts.Stop();

    /// <summary>How the rows of a step split by rows are shared: in proportion to each thread's measured speed.</summary>
    public PartBalance Balance => balance;

    /// <summary>
    /// Shares a step of <paramref name="w"/> over <paramref name="batch"/> rows is split into: as many
    /// as have at least <see cref="MinPartMultiplyAdds"/> each, at most one per thread and, split by
    /// units, per block of units (see <see cref="RowPartsFor(CellWeights, int, bool)"/> for when rows are split instead).
    /// </summary>
    public int PartsFor(CellWeights w, int batch, bool withInput) => PartsFor(w, batch, withInput, parts.Count);

    /// <summary><see cref="PartsFor(CellWeights, int, bool)"/> on <paramref name="threads"/> threads.</summary>
    public static int PartsFor(CellWeights w, int batch, bool withInput, int threads) =>
        Shares(w, StepMultiplyAdds(w, batch, withInput), MinPartMultiplyAdds, threads);

    /// <summary>
    /// Shares each step of a whole-sequence call over <paramref name="batch"/> rows (fewer than the
    /// threads) is split into: as many as have at least <see cref="MinSequencePartMultiplyAdds"/> of
    /// the recurrent product each, at most one per thread and per block of units.
    /// </summary>
    public static int SequencePartsFor(CellWeights w, int batch, int threads) =>
        Shares(w, StepMultiplyAdds(w, batch, withInput: false), MinSequencePartMultiplyAdds, threads);

    private static int Shares(CellWeights w, long multiplyAdds, long minPart, int threads)
    {
        long useful = multiplyAdds / minPart;
        return useful < 2 ? 1 : (int)Math.Min(useful, Math.Min(threads, StepShare.MaxParts(w)));
    }

    // Multiply-adds of a step's products over batch rows: the recurrent product, and the input product with it.
    private static long StepMultiplyAdds(CellWeights w, int batch, bool withInput) =>
        (w.RecurrentMultiplyAdds + (withInput ? w.InputMultiplyAdds : 0)) * batch;

    /// <summary>
    /// Threads a step of <paramref name="w"/> over <paramref name="batch"/> rows is split into by rows:
    /// as many as get at least <see cref="MinRowsPerPart"/> rows and <see cref="MinPartMultiplyAdds"/>
    /// each, at most one per thread; 1 when the step is not split by rows.
    /// </summary>
    public int RowPartsFor(CellWeights w, int batch, bool withInput) => RowPartsFor(w, batch, withInput, parts.Count);

    /// <summary><see cref="RowPartsFor(CellWeights, int, bool)"/> on <paramref name="threads"/> threads.</summary>
    public static int RowPartsFor(CellWeights w, int batch, bool withInput, int threads)
    {
        long byWork = StepMultiplyAdds(w, batch, withInput) / MinPartMultiplyAdds;
        return (int)Math.Max(1, Math.Min(Math.Min(byWork, batch / MinRowsPerPart), threads));
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
    /// <param name="hNext">[batch, StateStride] where a step shared by units writes the new h: with the new
    /// state apart, the shares need no barrier inside the step.</param>
    /// <param name="mayLeaveInNext">Whether the caller takes the new h from <paramref name="hNext"/> when a
    /// step shared by units writes it there (it then swaps the two buffers); otherwise it is copied into <paramref name="h"/>.</param>
    /// <param name="buffers">Where the intermediate products go.</param>
    /// <param name="batch">Rows.</param>
    /// <param name="output">[batch, outputWidth] receives the first <paramref name="outputWidth"/> floats of every row of the new h
    /// (a session's top layer: its output), or empty. Split by rows, each thread copies its own rows.</param>
    /// <param name="outputWidth">Floats of each row of h to copy (the state size).</param>
    /// <param name="step">The caller's count of steps so far: successive steps may walk the weights in turn each way (<see cref="StepShare.InStep"/>).</param>
    /// <returns>True when the new h is in <paramref name="hNext"/> (only if <paramref name="mayLeaveInNext"/>), false when it is in <paramref name="h"/>.</returns>
    public static bool Forward(
        StepThreads? threads, CellWeights w, ReadOnlySpan<float> x, int xStride, Span<float> gates, Span<float> h, Span<float> c, Span<float> hNext, bool mayLeaveInNext,
        StepBuffers buffers, int batch, Span<float> output, int outputWidth, long step)
    {
        if (threads is null)
        {
            CellStep.Forward(w, x, xStride, gates, new StepState(h, c), buffers, batch, StepShare.Whole.InStep(w, !x.IsEmpty, step));
            CopyRows(h, w.StateStride, output, outputWidth, 0, batch);
            return false;
        }

        return threads.Run(w, x, xStride, gates, h, c, hNext, mayLeaveInNext, buffers, batch, output, outputWidth, step);
    }

    private bool Run(
        CellWeights w, ReadOnlySpan<float> x, int xStride, Span<float> gates, Span<float> h, Span<float> c, Span<float> hNext, bool mayLeaveInNext, StepBuffers buffers,
        int batch, Span<float> output, int outputWidth, long step)
    {
        this.step = step;
        int rows = RowPartsFor(w, batch, !x.IsEmpty);
        if (rows > 1)
        {
            fixed (float* po = output)
            {
                this.output = new Pinned(po, output.Length);
                this.outputWidth = outputWidth;
                try
                {
                    RunShared(rowPart, w, x, xStride, gates, h, c, default, buffers, batch, rows); // each thread its rows, in place
                    balance.Update(rows);
                }
                finally
                {
                    this.output = default;
                }
            }

            return false;
        }

        int n = PartsFor(w, batch, !x.IsEmpty);
        if (n <= 1)
        {
            CellStep.Forward(w, x, xStride, gates, new StepState(h, c), buffers, batch, StepShare.Whole.InStep(w, !x.IsEmpty, step));
            CopyRows(h, w.StateStride, output, outputWidth, 0, batch);
            return false;
        }

        int floats = batch * w.StateStride;
        RunShared(part, w, x, xStride, gates, h, c, hNext[..floats], buffers, batch, n);
        CopyRows(hNext, w.StateStride, output, outputWidth, 0, batch);
        if (mayLeaveInNext)
        {
            // The caller swaps its buffers. Copied back, each share's new h would cross to the caller's
            // core and all of h back to the others before the next step's products: on an Intel Xeon
            // that made the 2-thread RNN step at H = 256 0.4 µs (14 %) slower (perf-results, state-swap).
            return true;
        }

        hNext[..floats].CopyTo(h);
        return false;
    }

    // Rows [first, first + rows) of h [*, stateStride] into output [*, width], unless output is empty.
    private static void CopyRows(ReadOnlySpan<float> h, int stateStride, Span<float> output, int width, int first, int rows)
    {
        if (output.IsEmpty)
        {
            return;
        }

        for (int b = first; b < first + rows; b++)
        {
            h.Slice(b * stateStride, width).CopyTo(output.Slice(b * width, width));
        }
    }

    // Apart from Run, so a step that stays on this thread does not pay for pinning eight buffers.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void RunShared(Action<int> body, CellWeights w, ReadOnlySpan<float> x, int xStride, Span<float> gates, Span<float> h, Span<float> c, Span<float> hNew, StepBuffers buffers, int batch, int n)
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
                parts.Run(body, n);
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
        CellWeights cw = w!;
        CellStep.Forward(
            cw, x.Span, xStride, gates.Span, new StepState(h.Span, cell, hNew.Span, cell), buffers, batch, new StepShare(index, count, parts).InStep(cw, !x.Span.IsEmpty, step));
    }

    // The whole step of this thread's rows: a contiguous range in blocks of four (the products' row
    // block), so no block is cut in two between threads, as many blocks as this thread's measured
    // speed earns it (PartBalance), so that the threads finish together.
    private void RowPart(int index)
    {
        long began = Stopwatch.GetTimestamp();
        CellWeights cw = w!;
        (int b0, int b1) = balance.Share((batch + 3) / 4, count, index);
        int first = b0 * 4, rows = Math.Min(b1 * 4, batch) - first;
        if (rows <= 0)
        {
            balance.Record(index, 0, 0);
            return;
        }

        ReadOnlySpan<float> input = x.Span;
        Span<float> cell = c.Span;
        var buffers = new StepBuffers
        {
            Unprojected = unprojected.Span, HiddenGates = hiddenGates.Span, ResetHidden = resetHidden.Span, Candidate = candidate.Span,
        }.Rows(cw, first, rows);
        CellStep.Forward(
            cw,
            input.IsEmpty ? input : input[(first * xStride)..],
            xStride,
            gates.Span.Slice(first * cw.GateStride, rows * cw.GateStride),
            new StepState(h.Span.Slice(first * cw.StateStride, rows * cw.StateStride), cell.IsEmpty ? cell : cell.Slice(first * cw.PaddedUnits, rows * cw.PaddedUnits)),
            buffers,
            rows,
            StepShare.Whole.InStep(cw, !input.IsEmpty, step));
        CopyRows(h.Span, cw.StateStride, output.Span, outputWidth, first, rows);
        balance.Record(index, Stopwatch.GetTimestamp() - began, b1 - b0);
    }

    // A pinned span's address and length, for the shares to rebuild it on their threads.
    private readonly struct Pinned(float* pointer, int length)
    {
        public Span<float> Span => new(pointer, length);
    }
}

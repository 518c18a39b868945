using System;
using System.Threading;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace FastRnn.Kernels;

/// <summary>
/// Y[b, :] += W · X[b, :] (or Y[b, :] = W · X[b, :]) for a <see cref="PackedMatrix"/> W: the GEMV
/// (batch 1) and small-batch GEMM of every time step, and the one large GEMM that projects all inputs
/// of a sequence.
/// float32 and bfloat16 weights are widened to float and multiplied-added in float; int8 weights go
/// to the integer kernel (<see cref="Int8MatMul"/>) on the same path.
/// </summary>
internal static class PackedMatMul
{
    // Rows of X processed per sweep over the panels, so that block of X stays in L2 while every
    // panel of W passes over it (the input projection has T*B rows).
    private const int RowChunk = 128;

    /// <summary>
    /// Accumulates the product into <paramref name="y"/>.
    /// </summary>
    /// <param name="w">Weights packed for the active path.</param>
    /// <param name="x">[batch, xStride] input rows; the first w.Columns of each are read.</param>
    /// <param name="xStride">Distance between input rows.</param>
    /// <param name="batch">Rows of X and Y.</param>
    /// <param name="y">[batch, yStride] output rows in packed row order; the first w.PaddedRows are updated.</param>
    /// <param name="yStride">Distance between output rows.</param>
    public static void MultiplyAdd(PackedMatrix w, ReadOnlySpan<float> x, int xStride, int batch, Span<float> y, int yStride) =>
        Product(w, 0, w.Panels, x, xStride, batch, y, yStride, ProductWrite.Accumulate, PanelOrder.Ascending);

    /// <summary>
    /// Writes the product into <paramref name="y"/> (its first w.PaddedRows of every row), which need not
    /// be cleared first: the same result, bit for bit, as clearing and accumulating (sums start at +0),
    /// without a pass that reads and writes Y once more (the input projection of a sequence is tens of MB).
    /// </summary>
    /// <param name="w">Weights packed for the active path.</param>
    /// <param name="x">[batch, xStride] input rows; the first w.Columns of each are read.</param>
    /// <param name="xStride">Distance between input rows.</param>
    /// <param name="batch">Rows of X and Y.</param>
    /// <param name="y">[batch, yStride] output rows in packed row order; the first w.PaddedRows are written.</param>
    /// <param name="yStride">Distance between output rows.</param>
    public static void Multiply(PackedMatrix w, ReadOnlySpan<float> x, int xStride, int batch, Span<float> y, int yStride) =>
        Product(w, 0, w.Panels, x, xStride, batch, y, yStride, ProductWrite.Overwrite, PanelOrder.Ascending);

    /// <summary>
    /// The product restricted to panels [firstPanel, endPanel), walked in <paramref name="order"/>: disjoint
    /// output columns, so parts of one product can run on different threads and give exactly the
    /// single-threaded result, and the order changes no bit. Int8 matrices walk first to last: an int8
    /// step is bound by its arithmetic, not its reads, and walking back measured 7 % slower (perf-results, alternating-panels).
    /// </summary>
    public static void MultiplyAddPanels(
        PackedMatrix w, int firstPanel, int endPanel, ReadOnlySpan<float> x, int xStride, int batch, Span<float> y, int yStride, PanelOrder order) =>
        Product(w, firstPanel, endPanel, x, xStride, batch, y, yStride, ProductWrite.Accumulate, order);

    /// <summary><see cref="Multiply"/> restricted to panels [firstPanel, endPanel) (their output columns are written), walked in <paramref name="order"/>.</summary>
    public static void MultiplyPanels(
        PackedMatrix w, int firstPanel, int endPanel, ReadOnlySpan<float> x, int xStride, int batch, Span<float> y, int yStride, PanelOrder order) =>
        Product(w, firstPanel, endPanel, x, xStride, batch, y, yStride, ProductWrite.Overwrite, order);

    private static unsafe void Product(
        PackedMatrix w, int firstPanel, int endPanel, ReadOnlySpan<float> x, int xStride, int batch, Span<float> y, int yStride, ProductWrite write, PanelOrder order)
    {
        if (w.Width != Isa.FloatsPerVector)
        {
            throw new InvalidOperationException($"Matrix packed for width {w.Width}, active path has width {Isa.FloatsPerVector}.");
        }

        if (firstPanel < 0 || endPanel > w.Panels || firstPanel > endPanel)
        {
            throw new ArgumentException($"Panels [{firstPanel}, {endPanel}) of a matrix with {w.Panels}.");
        }

        if (batch <= 0 || firstPanel == endPanel)
        {
            return;
        }

        if (xStride < w.Columns || x.Length < ((batch - 1) * xStride) + w.Columns)
        {
            throw new ArgumentException($"Expected X of [{batch}, {w.Columns}] with row stride {xStride}, got {x.Length} floats.", nameof(x));
        }

        if (yStride < w.PaddedRows || y.Length < ((batch - 1) * yStride) + w.PaddedRows)
        {
            throw new ArgumentException($"Expected Y of [{batch}, {w.PaddedRows}] with row stride {yStride}, got {y.Length} floats.", nameof(y));
        }

        fixed (float* pinned = y)
        {
            // A product too large to stay in cache until it is read streams past it (the pin makes that safe).
            write = Streamable(write, pinned, batch, yStride) ? ProductWrite.Stream : write;
            var kernel = new ProductKernel
            {
                W = w, FirstPanel = firstPanel, EndPanel = endPanel, X = x, XStride = xStride, Batch = batch, Y = y, YStride = yStride, Write = write,
                PrefetchFromBytes = Prefetch.ProductFromBytes, Descending = order == PanelOrder.Descending,
            };
            SimdDispatch.Run(ref kernel);
        }

        if (write == ProductWrite.Stream)
        {
            Thread.MemoryBarrier(); // non-temporal stores are weakly ordered: make them visible before anything reads Y
        }
    }

    private const int CacheLine = 64;

    // One prefetch per this many columns: a 4-row block of a 4-vector panel spends about 8 cycles per column
    // on two 512-bit FMA ports, and 16 row blocks then cover a 256-byte-per-column next panel (64 B / 4 × 16).
    private const int PrefetchEvery = 4;

    // Written outputs past this size stream past the caches: half the L3 of current desktop and server
    // parts, beyond which the output is evicted before the steps read it back (the [T, B, G*Hp]
    // projection of a batch-64 sequence is 20-52 MB). Below it, normal stores keep it in cache. Intel
    // cores: 32 MiB, measured on a Xeon (family 6 model 207, perf-results stream-threshold), where the
    // batch-64 GRU and LSTM sequences at H = 256 (20 and 26 MB) ran faster written to cache and those
    // at H = 512 (39 and 52 MB) streamed; other CPUs keep 16 MiB until measured.
    private static readonly long StreamBytes = X86Cpu.IsIntel ? 32L << 20 : 16L << 20;

    // Streaming needs every vector store aligned: a vector-aligned start and a row stride of whole vectors.
    private static unsafe bool Streamable(ProductWrite write, float* y, int batch, int yStride) =>
        write == ProductWrite.Overwrite
        && (long)batch * yStride * sizeof(float) >= StreamBytes
        && ((nuint)y % (nuint)(Isa.FloatsPerVector * sizeof(float))) == 0
        && yStride % Isa.FloatsPerVector == 0;

    private ref struct ProductKernel : ISimdKernel, IInt8Kernel
    {
        public PackedMatrix W;
        public int FirstPanel;
        public int EndPanel;
        public ReadOnlySpan<float> X; // [batch, xStride]
        public int XStride;
        public int Batch;
        public Span<float> Y;         // [batch, yStride]
        public int YStride;
        public ProductWrite Write;
        public long PrefetchFromBytes; // products over at least this many weight bytes fetch the next panel ahead (Prefetch)
        public bool Descending;        // panels last to first (PanelOrder)

        public void Run<TOps, TVec>()
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
        {
            if (W.Format == WeightFormat.Int8)
            {
                Int8<TOps, TVec, ProductKernel>(ref this);
                return;
            }

            // Locals, not fields, in the loops: the JIT keeps them in registers.
            PackedMatrix w = W;
            ReadOnlySpan<float> x = X;
            Span<float> y = Y;
            int firstPanel = FirstPanel, endPanel = EndPanel, xStride = XStride, batch = Batch, yStride = YStride;
            ProductWrite write = Write;
            long prefetchFrom = PrefetchFromBytes;
            bool descending = Descending;
            int fullEnd = Math.Min(endPanel, w.Panels - 1);
            bool full = firstPanel < fullEnd, last = endPanel == w.Panels; // the last panel may be narrower: a kernel of its own
            for (int chunk = 0; chunk < batch; chunk += RowChunk)
            {
                int chunkEnd = Math.Min(batch, chunk + RowChunk);
                if (last && descending)
                {
                    Panels<TOps, TVec>(w, w.LastPanelVectors, w.Panels - 1, w.Panels, x, xStride, chunk, chunkEnd, y, yStride, write, prefetchFrom, descending);
                }

                if (full)
                {
                    Panels<TOps, TVec>(w, w.PanelVectors, firstPanel, fullEnd, x, xStride, chunk, chunkEnd, y, yStride, write, prefetchFrom, descending);
                }

                if (last && !descending)
                {
                    Panels<TOps, TVec>(w, w.LastPanelVectors, w.Panels - 1, w.Panels, x, xStride, chunk, chunkEnd, y, yStride, write, prefetchFrom, descending);
                }
            }
        }

        public readonly void RunInteger<TOps, TVec, TDot, TI, TAcc>()
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
            where TDot : struct, IInt8DotOps<TI, TAcc>
            where TI : struct
            where TAcc : struct
        {
            ClearInt8Outputs();
            Int8MatMul.Run<TOps, TVec, TDot, TI, TAcc>(W, FirstPanel, EndPanel, X, XStride, Batch, Y, YStride);
        }

        public readonly void RunFloat<TOps, TVec>()
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
        {
            ClearInt8Outputs();
            Int8MatMul.FloatRows<TOps, TVec>(W, FirstPanel, EndPanel, X, XStride, Batch, Y, YStride);
        }

        // The integer kernel adds each chunk into Y: a product that writes starts these panels' outputs from zero.
        private readonly void ClearInt8Outputs()
        {
            if (Write != ProductWrite.Accumulate)
            {
                int from = FirstPanel * W.PanelVectors * W.Width;
                int to = Math.Min(W.PaddedRows, EndPanel * W.PanelVectors * W.Width);
                for (int r = 0; r < Batch; r++)
                {
                    Y.Slice((r * YStride) + from, to - from).Clear();
                }
            }
        }
    }

    /// <summary>The product on an explicit path (tests run every path the CPU has in one process).</summary>
    internal static void ByShape(SimdPath path, PackedMatrix w, ReadOnlySpan<float> x, int xStride, int batch, Span<float> y, int yStride, ProductWrite write) =>
        ByShape(path, w, x, xStride, batch, y, yStride, write, Prefetch.ProductFromBytes, PanelOrder.Ascending);

    /// <summary>
    /// The product on an explicit path, fetching ahead from <paramref name="prefetchFromBytes"/> weight bytes
    /// (long.MaxValue: never), walking the panels in <paramref name="order"/>.
    /// </summary>
    internal static void ByShape(
        SimdPath path, PackedMatrix w, ReadOnlySpan<float> x, int xStride, int batch, Span<float> y, int yStride, ProductWrite write, long prefetchFromBytes,
        PanelOrder order)
    {
        if (w.Width != Isa.WidthOf(path))
        {
            throw new InvalidOperationException($"Matrix packed for width {w.Width}, path has width {Isa.WidthOf(path)}.");
        }

        var kernel = new ProductKernel
        {
            W = w, EndPanel = w.Panels, X = x, XStride = xStride, Batch = batch, Y = y, YStride = yStride, Write = write,
            PrefetchFromBytes = prefetchFromBytes, Descending = order == PanelOrder.Descending,
        };
        SimdDispatch.Run(path, ref kernel);
    }

    /// <summary>What <see cref="Int8KernelName"/> says of a path without integer instructions.</summary>
    internal const string FloatInt8KernelName = "none: int8 rows widened to float";

    /// <summary>
    /// The integer kernel int8 products use on <paramref name="path"/> (for `fastrnn info` and the self-test):
    /// the choice <see cref="Int8{TOps, TVec, TKernel}"/> makes, read from it.
    /// </summary>
    internal static string Int8KernelName(SimdPath path)
    {
        var query = new Int8KernelQuery();
        SimdDispatch.Run(path, ref query);
        return query.Name!;
    }

    // The integer kernel of the path TOps stands for, chosen here for the product and for Int8KernelName;
    // each test is a JIT-time constant, so this is a direct call. On the 256-bit path AVX-VNNI's vpdpwssd
    // replaces vpmaddwd + vpaddd where the CPU has it (the same exact sums); .NET 10 has no 512-bit
    // vpdpwssd, so the 512-bit path keeps vpmaddwd even on CPUs with AVX-512 VNNI. A Vector128 path is SSE2
    // on x86 and NEON on ARM64. Should a vector path have no integer instructions (no platform .NET runs
    // on today), every row takes the float path.
    // This choice stays here rather than in SimdDispatch: it is made within a width (SSE2 or NEON for
    // 128 bits, AVX-VNNI or not for 256, with a float fallback) on instruction sets SimdPath does not
    // name, and only int8 matrices need it, so the one dispatch reaches it already specialised per width.
    private static void Int8<TOps, TVec, TKernel>(ref TKernel kernel)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        where TKernel : IInt8Kernel, allows ref struct
    {
        if (typeof(TOps) == typeof(Vector512Ops) && Avx512BW.IsSupported)
        {
            kernel.RunInteger<TOps, TVec, Int8Dot512, Vector512<short>, Vector512<int>>();
        }
        else if (typeof(TOps) == typeof(Vector256Ops) && Avx2.IsSupported && AvxVnni.IsSupported)
        {
            kernel.RunInteger<TOps, TVec, Int8Dot256Vnni, Vector256<short>, Vector256<int>>();
        }
        else if (typeof(TOps) == typeof(Vector256Ops) && Avx2.IsSupported)
        {
            kernel.RunInteger<TOps, TVec, Int8Dot256, Vector256<short>, Vector256<int>>();
        }
        else if (typeof(TOps) == typeof(Vector128Ops) && AdvSimd.Arm64.IsSupported)
        {
            kernel.RunInteger<TOps, TVec, Int8DotNeon, Vector128<short>, NeonAccumulator>();
        }
        else if (typeof(TOps) == typeof(Vector128Ops) && Sse2.IsSupported)
        {
            kernel.RunInteger<TOps, TVec, Int8DotSse, Vector128<short>, Vector128<int>>();
        }
        else if (typeof(TOps) == typeof(ScalarOps))
        {
            kernel.RunInteger<TOps, TVec, Int8DotScalar, int, int>();
        }
        else
        {
            kernel.RunFloat<TOps, TVec>();
        }
    }

    private static void Panels<TOps, TVec>(
        PackedMatrix w, int vectors, int first, int end, ReadOnlySpan<float> x, int xStride, int chunk, int chunkEnd, Span<float> y, int yStride,
        ProductWrite write, long prefetchFrom, bool descending)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        switch (w.Format)
        {
            case WeightFormat.BFloat16:
                ByVectors<TOps, TVec, BFloat16Weights>(w, vectors, first, end, x, xStride, chunk, chunkEnd, y, yStride, write, prefetchFrom, descending);
                break;
            default:
                ByVectors<TOps, TVec, Float32Weights>(w, vectors, first, end, x, xStride, chunk, chunkEnd, y, yStride, write, prefetchFrom, descending);
                break;
        }
    }

    private static void ByVectors<TOps, TVec, TW>(
        PackedMatrix w, int vectors, int first, int end, ReadOnlySpan<float> x, int xStride, int chunk, int chunkEnd, Span<float> y, int yStride,
        ProductWrite write, long prefetchFrom, bool descending)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        where TW : struct, IWeightFormat
    {
        switch (vectors)
        {
            case 1:
                Run<TOps, TVec, TW, One>(w, first, end, x, xStride, chunk, chunkEnd, y, yStride, write, prefetchFrom, descending);
                break;
            case 2:
                Run<TOps, TVec, TW, Two>(w, first, end, x, xStride, chunk, chunkEnd, y, yStride, write, prefetchFrom, descending);
                break;
            case 3:
                Run<TOps, TVec, TW, Three>(w, first, end, x, xStride, chunk, chunkEnd, y, yStride, write, prefetchFrom, descending);
                break;
            default:
                Run<TOps, TVec, TW, Four>(w, first, end, x, xStride, chunk, chunkEnd, y, yStride, write, prefetchFrom, descending);
                break;
        }
    }

    // Panels [first, end), all of TShape.Value vectors, over rows [chunk, chunkEnd), first to last or last to first.
    private static void Run<TOps, TVec, TW, TShape>(
        PackedMatrix w, int first, int end, ReadOnlySpan<float> x, int xStride, int chunk, int chunkEnd, Span<float> y, int yStride,
        ProductWrite write, long prefetchFrom, bool descending)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        where TW : struct, IWeightFormat
        where TShape : struct, ICount
    {
        int columns = w.Columns;
        int panelFloats = w.PanelVectors * TOps.Count; // full panels; only the last may be shorter
        int panelStride = columns * panelFloats * TW.ElementBytes; // bytes
        ref byte wBase = ref MemoryMarshal.GetReference(w.Bytes);
        ref float xBase = ref MemoryMarshal.GetReference(x);
        ref float yBase = ref MemoryMarshal.GetReference(y);
        int block = TOps.BatchBlock;

        // Weights beyond the L2 reach it a panel at a time, and a panel's first row block would wait for
        // all of it: instead every row block of a panel asks for its share of the next panel, a line every
        // PrefetchEvery columns, while it computes.
        bool prefetch = chunkEnd - chunk > block && (long)(end - first) * panelStride >= prefetchFrom;
        int linesPerBlock = prefetch ? columns / PrefetchEvery : 0;

        // Such a product that adds into its outputs (the steps of a sequence, into input projections
        // written past the caches) also asks for the next row block's outputs: rows a row stride apart,
        // one block per panel, which the hardware prefetchers do not follow.
        bool prefetchOutputs = prefetch && write == ProductWrite.Accumulate;
        int count = end - first;
        int toNext = descending ? -panelStride : panelStride; // bytes from a panel to the one walked next
        for (int i = 0; i < count; i++)
        {
            int panel = descending ? end - 1 - i : first + i;
            bool more = i + 1 < count;
            ref byte wPanel = ref Unsafe.Add(ref wBase, panel * panelStride);
            ref byte wNext = ref more ? ref Unsafe.Add(ref wPanel, toNext) : ref wPanel;
            int nextLines = more ? panelStride / CacheLine : 0; // lines of the next panel not yet asked for
            int yOffset = panel * panelFloats;
            int nextYOffset = more ? yOffset + (descending ? -panelFloats : panelFloats) : -1; // the next panel's outputs, or none
            int row = chunk;
            int asked = 0;
            if (block == 4)
            {
                for (; row + 4 <= chunkEnd; row += 4)
                {
                    int lines = Math.Min(linesPerBlock, nextLines - asked);
                    if (prefetchOutputs)
                    {
                        PrefetchNextOutputs<TOps, TVec, TShape, Four>(ref yBase, yStride, row, chunk, chunkEnd, yOffset, nextYOffset);
                    }

                    RowBlock<TOps, TVec, TW, TShape, Four>(
                        ref wPanel, columns, ref Unsafe.Add(ref xBase, row * xStride), xStride, ref Unsafe.Add(ref yBase, (row * yStride) + yOffset),
                        yStride, write, ref Unsafe.Add(ref wNext, asked * CacheLine), lines);
                    asked += lines;
                }
            }

            for (; row + 2 <= chunkEnd; row += 2)
            {
                int lines = Math.Min(linesPerBlock, nextLines - asked);
                if (prefetchOutputs && block == 2)
                {
                    PrefetchNextOutputs<TOps, TVec, TShape, Two>(ref yBase, yStride, row, chunk, chunkEnd, yOffset, nextYOffset);
                }

                RowBlock<TOps, TVec, TW, TShape, Two>(
                    ref wPanel, columns, ref Unsafe.Add(ref xBase, row * xStride), xStride, ref Unsafe.Add(ref yBase, (row * yStride) + yOffset),
                    yStride, write, ref Unsafe.Add(ref wNext, asked * CacheLine), lines);
                asked += lines;
            }

            if (row < chunkEnd)
            {
                RowBlock<TOps, TVec, TW, TShape, One>(
                    ref wPanel, columns, ref Unsafe.Add(ref xBase, row * xStride), xStride, ref Unsafe.Add(ref yBase, (row * yStride) + yOffset),
                    yStride, write, ref wPanel, 0);
            }
        }
    }

    // Asks for the outputs of the row block after [row, row + TRows): the next TRows rows of this panel's
    // columns (at yOffset), or, after the panel's last whole block, the first rows of the next panel's
    // (at nextYOffset; none after the last panel). One ask per vector (on paths narrower than a cache line,
    // a line is asked for once per vector in it): a hint, which never faults.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchNextOutputs<TOps, TVec, TShape, TRows>(
        ref float y, int yStride, int row, int chunk, int chunkEnd, int yOffset, int nextYOffset)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        where TShape : struct, ICount
        where TRows : struct, ICount
    {
        int rows = TRows.Value;
        int at = row + (2 * rows) <= chunkEnd ? ((row + rows) * yStride) + yOffset
            : nextYOffset >= 0 ? (chunk * yStride) + nextYOffset
            : -1;
        if (at < 0)
        {
            return;
        }

        for (int r = 0; r < rows; r++)
        {
            for (int v = 0; v < TShape.Value; v++)
            {
                Prefetch.ToL2(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref y, at + (r * yStride) + (v * TOps.Count))));
            }
        }
    }

    // TRows input rows (xStride apart) times one panel into the same rows of Y (yStride apart); the rows
    // share every weight load. Every row sums over columns in the same order with one chain per vector,
    // so a row's result is bit-identical whether it is computed alone or in a block (and so independent
    // of batch size and thread count). Four rows make up to 16 accumulators, which only the 32-register
    // AVX-512 file holds (TOps.BatchBlock).
    // The block is not inlined into Run: each is its own JIT root with its own inlining budget. Inlined
    // together, tier-1 code under dynamic PGO ran out of budget and left the bf16 column loads as calls
    // passing vectors through memory (a bf16 step 2.6x slower than with tiering off); the call costs one
    // jump per panel and row block.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RowBlock<TOps, TVec, TW, TShape, TRows>(
        ref byte w, int columns, ref float x, int xStride, ref float y, int yStride, ProductWrite write, ref byte next, int nextLines)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        where TW : struct, IWeightFormat
        where TShape : struct, ICount
        where TRows : struct, ICount
    {
        int rows = TRows.Value;
        int columnBytes = TShape.Value * TOps.Count * TW.ElementBytes;
        ref float xr1 = ref rows > 1 ? ref Unsafe.Add(ref x, xStride) : ref x; // rows past the block are never formed, not even as references
        ref float xr2 = ref rows > 2 ? ref Unsafe.Add(ref x, 2 * xStride) : ref x;
        ref float xr3 = ref rows > 2 ? ref Unsafe.Add(ref x, 3 * xStride) : ref x;
        TVec a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
        TVec b0 = TOps.Zero, b1 = TOps.Zero, b2 = TOps.Zero, b3 = TOps.Zero;
        TVec c0 = TOps.Zero, c1 = TOps.Zero, c2 = TOps.Zero, c3 = TOps.Zero;
        TVec d0 = TOps.Zero, d1 = TOps.Zero, d2 = TOps.Zero, d3 = TOps.Zero;
        int line = 0;
        int prefetchAt = nextLines > 0 ? 0 : int.MaxValue; // the column at which the next line is asked for
        for (int k = 0; k < columns; k++)
        {
            if (rows > 1 && k == prefetchAt)
            {
                Prefetch.ToL2(ref Unsafe.Add(ref next, line * CacheLine));
                line++;
                prefetchAt = line < nextLines ? k + PrefetchEvery : int.MaxValue;
            }

            TW.LoadColumn<TOps, TVec, TShape>(ref Unsafe.Add(ref w, k * columnBytes), out TVec w0, out TVec w1, out TVec w2, out TVec w3);
            PanelRow.MultiplyAdd<TOps, TVec, TVec, TShape>(TOps.Broadcast(Unsafe.Add(ref x, k)), w0, w1, w2, w3, ref a0, ref a1, ref a2, ref a3);
            if (rows > 1)
            {
                PanelRow.MultiplyAdd<TOps, TVec, TVec, TShape>(TOps.Broadcast(Unsafe.Add(ref xr1, k)), w0, w1, w2, w3, ref b0, ref b1, ref b2, ref b3);
            }

            if (rows > 2)
            {
                PanelRow.MultiplyAdd<TOps, TVec, TVec, TShape>(TOps.Broadcast(Unsafe.Add(ref xr2, k)), w0, w1, w2, w3, ref c0, ref c1, ref c2, ref c3);
                PanelRow.MultiplyAdd<TOps, TVec, TVec, TShape>(TOps.Broadcast(Unsafe.Add(ref xr3, k)), w0, w1, w2, w3, ref d0, ref d1, ref d2, ref d3);
            }
        }

        PanelRow.Write<TOps, TVec, TShape>(ref y, a0, a1, a2, a3, write);
        if (rows > 1)
        {
            PanelRow.Write<TOps, TVec, TShape>(ref Unsafe.Add(ref y, yStride), b0, b1, b2, b3, write);
        }

        if (rows > 2)
        {
            PanelRow.Write<TOps, TVec, TShape>(ref Unsafe.Add(ref y, 2 * yStride), c0, c1, c2, c3, write);
            PanelRow.Write<TOps, TVec, TShape>(ref Unsafe.Add(ref y, 3 * yStride), d0, d1, d2, d3, write);
        }
    }

    /// <summary>An operation on the integer kernel <see cref="Int8{TOps, TVec, TKernel}"/> picks for a path.</summary>
    private interface IInt8Kernel
    {
        /// <summary>The operation with the integer kernel TDot.</summary>
        void RunInteger<TOps, TVec, TDot, TI, TAcc>()
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
            where TDot : struct, IInt8DotOps<TI, TAcc>
            where TI : struct
            where TAcc : struct;

        /// <summary>The operation on a path without integer instructions (every row by the float widening path).</summary>
        void RunFloat<TOps, TVec>()
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct;
    }

    private ref struct Int8KernelQuery : ISimdKernel, IInt8Kernel
    {
        public string? Name;

        public void Run<TOps, TVec>()
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
            => Int8<TOps, TVec, Int8KernelQuery>(ref this);

        public void RunInteger<TOps, TVec, TDot, TI, TAcc>()
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
            where TDot : struct, IInt8DotOps<TI, TAcc>
            where TI : struct
            where TAcc : struct
            => Name = TDot.Name;

        public void RunFloat<TOps, TVec>()
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
            => Name = FloatInt8KernelName;
    }
}

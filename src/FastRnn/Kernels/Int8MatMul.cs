using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastRnn.Kernels;

/// <summary>
/// Y[b, :] += W · X[b, :] for an int8 <see cref="PackedMatrix"/> by integer dot products: each input
/// row is quantized to int16 with one symmetric scale (<see cref="Int16Rows"/>), multiplied by the
/// int8 weights two columns per int32 lane (<see cref="IInt8DotOps{TI, TAcc}"/>), and every
/// <see cref="ChunkColumns"/> columns the exact int32 sums are converted and added into Y with the
/// product of the row scale and the activation scale.
/// </summary>
/// <remarks>
/// Results: the int32 sum of a chunk is exact and the chunk boundaries are fixed (multiples of
/// <see cref="ChunkColumns"/> from column 0), and each chunk is added into Y with the same float
/// operations on every path, so a row's result is bit-identical on every ISA path, batch block,
/// row blocking and thread count (panel ranges split output columns only).
/// Rows that are not quantized (NaN or ±Inf, or magnitudes too tiny or too large for the matrix's
/// scales: see <see cref="Int16Rows.TryScale"/>) take the float widening path instead, which computes exactly what
/// float kernels compute with the dequantized weights q · s (one FMA chain per output over all columns in
/// order), so NaN, infinities and huge values behave as in float32 with those weights.
/// Scratch: the quantized activations of a block of rows live on the stack (at most
/// 32 KiB per call, rows blocked to fit, very long rows in slabs), so nothing is allocated.
/// </remarks>
internal static class Int8MatMul
{
    /// <summary>
    /// Columns summed in int32 before a conversion: |w| ≤ 127 and |q| ≤ 32767, so a chunk sums to at
    /// most 256 · 127 · 32767 ≈ 1.07e9 &lt; 2³¹ − 1 (in every lane of every path).
    /// </summary>
    public const int ChunkColumns = 256;

    // int16 activations quantized at once: 32 KiB of stack. Whole rows up to this many stored
    // columns; longer rows are quantized in slabs of this size (a multiple of ChunkColumns, so slabs
    // never move a chunk boundary).
    private const int ScratchShorts = 16384;

    // Batch rows quantized together, as PackedMatMul's row chunk: one sweep over the panels serves them all.
    private const int MaxBlockRows = 128;

    /// <summary>Panels [firstPanel, endPanel) of the product for every row of X.</summary>
    [SkipLocalsInit] // the scratch is written before it is read; zeroing 32 KiB per call would cost more than a small product
    public static void Run<TOps, TVec, TDot, TI, TAcc>(
        PackedMatrix w, int firstPanel, int endPanel, ReadOnlySpan<float> x, int xStride, int batch, Span<float> y, int yStride)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        where TDot : struct, IInt8DotOps<TI, TAcc>
        where TI : struct
        where TAcc : struct
    {
        if (w.Width != TDot.Lanes || w.Width != TOps.Count)
        {
            throw new InvalidOperationException($"Matrix packed for width {w.Width}, path has width {TDot.Lanes}.");
        }

        int columns = w.Columns;
        int stored = w.StoredColumns;
        int slab = Math.Min(stored, ScratchShorts);
        int blockRows = Math.Min(Math.Min(batch, MaxBlockRows), ScratchShorts / slab);
        Span<short> q = stackalloc short[blockRows * slab]; // [blockRows, slab] quantized activations of the block's rows, columns [c0, c0 + slab)
        Span<float> scales = stackalloc float[blockRows];   // [blockRows] s = max |x| / 32767 of each quantized row
        Span<float> inverses = stackalloc float[blockRows]; // [blockRows] 32767 / max |x|
        Span<int> rows = stackalloc int[blockRows];         // [blockRows] the batch row each quantized row came from
        ref float xBase = ref MemoryMarshal.GetReference(x);
        ref float yBase = ref MemoryMarshal.GetReference(y);
        for (int start = 0; start < batch; start += blockRows)
        {
            int end = Math.Min(batch, start + blockRows);
            int count = 0;
            for (int r = start; r < end; r++)
            {
                ref float xr = ref Unsafe.Add(ref xBase, r * xStride);
                if (Int16Rows.TryScale(Int16Rows.MaxAbsBits<TOps, TVec>(ref xr, columns), w.MinScale, w.MaxScale, out float scale, out float inverse))
                {
                    rows[count] = r;
                    scales[count] = scale;
                    inverses[count] = inverse;
                    count++;
                }
                else
                {
                    FloatRow<TOps, TVec>(w, firstPanel, endPanel, ref xr, ref Unsafe.Add(ref yBase, r * yStride));
                }
            }

            for (int c0 = 0; count > 0 && c0 < stored; c0 += slab)
            {
                int c1 = Math.Min(stored, c0 + slab);
                int real = Math.Min(columns, c1) - c0; // c1 - c0 - 1 when the slab ends with the pad column
                for (int i = 0; i < count; i++)
                {
                    ref short qi = ref q[i * slab];
                    Int16Rows.Quantize<TOps, TVec>(ref Unsafe.Add(ref xBase, (rows[i] * xStride) + c0), real, inverses[i], ref qi);
                    if (real < c1 - c0)
                    {
                        Unsafe.Add(ref qi, real) = 0;
                    }
                }

                ColumnBlock block = new(c0, c1, slab, count);
                int fullEnd = Math.Min(endPanel, w.Panels - 1);
                if (firstPanel < fullEnd)
                {
                    ByVectors<TDot, TI, TAcc>(w.PanelVectors, w, firstPanel, fullEnd, block, q, rows, scales, ref yBase, yStride);
                }

                if (endPanel == w.Panels)
                {
                    ByVectors<TDot, TI, TAcc>(w.LastPanelVectors, w, w.Panels - 1, w.Panels, block, q, rows, scales, ref yBase, yStride);
                }
            }
        }
    }

    /// <summary>Every row by the float widening path (for a path without integer instructions).</summary>
    public static void FloatRows<TOps, TVec>(
        PackedMatrix w, int firstPanel, int endPanel, ReadOnlySpan<float> x, int xStride, int batch, Span<float> y, int yStride)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        for (int r = 0; r < batch; r++)
        {
            FloatRow<TOps, TVec>(
                w, firstPanel, endPanel, ref MemoryMarshal.GetReference(x[(r * xStride)..]), ref MemoryMarshal.GetReference(y[(r * yStride)..]));
        }
    }

    private static void ByVectors<TDot, TI, TAcc>(
        int vectors, PackedMatrix w, int first, int end, ColumnBlock block, Span<short> q, Span<int> rows, Span<float> scales, ref float y,
        int yStride)
        where TDot : struct, IInt8DotOps<TI, TAcc>
        where TI : struct
        where TAcc : struct
    {
        switch (vectors)
        {
            case 1:
                Dot<TDot, TI, TAcc, One>(w, first, end, block, q, rows, scales, ref y, yStride);
                break;
            case 2:
                Dot<TDot, TI, TAcc, Two>(w, first, end, block, q, rows, scales, ref y, yStride);
                break;
            case 3:
                Dot<TDot, TI, TAcc, Three>(w, first, end, block, q, rows, scales, ref y, yStride);
                break;
            default:
                Dot<TDot, TI, TAcc, Four>(w, first, end, block, q, rows, scales, ref y, yStride);
                break;
        }
    }

    // Panels [first, end), all of TShape.Value vectors, over the stored columns [C0, C1) of the
    // block's quantized rows, one chunk at a time (a chunk of a panel stays in L1 for all rows).
    private static void Dot<TDot, TI, TAcc, TShape>(
        PackedMatrix w, int first, int end, ColumnBlock block, Span<short> q, Span<int> rows, Span<float> scales, ref float y, int yStride)
        where TDot : struct, IInt8DotOps<TI, TAcc>
        where TI : struct
        where TAcc : struct
        where TShape : struct, ICount
    {
        int lanes = TDot.Lanes;
        int columnBytes = TShape.Value * lanes;              // bytes per column of this panel shape
        int panelFloats = w.PanelVectors * lanes;            // outputs of a full panel
        int panelStride = w.StoredColumns * panelFloats;     // bytes of a full panel (only the last may be shorter)
        ref sbyte wBase = ref Unsafe.As<byte, sbyte>(ref MemoryMarshal.GetReference(w.Bytes));
        ref float sBase = ref MemoryMarshal.GetReference(w.Scales);
        ref short qBase = ref MemoryMarshal.GetReference(q);
        ref int rBase = ref MemoryMarshal.GetReference(rows);
        ref float xsBase = ref MemoryMarshal.GetReference(scales);
        int count = block.Count;
        for (int panel = first; panel < end; panel++)
        {
            int yOffset = panel * panelFloats;
            ref float rowScales = ref Unsafe.Add(ref sBase, yOffset);
            ref float yPanel = ref Unsafe.Add(ref y, yOffset);
            for (int k0 = block.C0; k0 < block.C1; k0 += ChunkColumns)
            {
                int pairs = (Math.Min(block.C1, k0 + ChunkColumns) - k0) / 2;
                ref sbyte wk = ref Unsafe.Add(ref wBase, (panel * panelStride) + (k0 * columnBytes));
                ref short qk = ref Unsafe.Add(ref qBase, k0 - block.C0);
                int i = 0;
                if (TDot.BatchBlock == 4)
                {
                    for (; i + 4 <= count; i += 4)
                    {
                        RowBlock<TDot, TI, TAcc, TShape, Four>(
                            ref wk, pairs, ref Unsafe.Add(ref qk, i * block.QStride), block.QStride, ref rowScales, ref yPanel, yStride,
                            ref Unsafe.Add(ref rBase, i), ref Unsafe.Add(ref xsBase, i));
                    }
                }

                for (; i + 2 <= count; i += 2)
                {
                    RowBlock<TDot, TI, TAcc, TShape, Two>(
                        ref wk, pairs, ref Unsafe.Add(ref qk, i * block.QStride), block.QStride, ref rowScales, ref yPanel, yStride,
                        ref Unsafe.Add(ref rBase, i), ref Unsafe.Add(ref xsBase, i));
                }

                if (i < count)
                {
                    RowBlock<TDot, TI, TAcc, TShape, One>(
                        ref wk, pairs, ref Unsafe.Add(ref qk, i * block.QStride), block.QStride, ref rowScales, ref yPanel, yStride,
                        ref Unsafe.Add(ref rBase, i), ref Unsafe.Add(ref xsBase, i));
                }
            }
        }
    }

    // TRows quantized rows (qStride apart in the scratch; batch rows row[0..TRows) of Y) over one chunk:
    // an exact int32 sum per output lane, then one scaled add into Y. The rows share every weight load
    // and sign extension; four rows make up to 16 accumulators, which only the 32-register AVX-512 file
    // holds (TDot.BatchBlock). The weights and activations advance by reference: no index arithmetic in the loop.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowBlock<TDot, TI, TAcc, TShape, TRows>(
        ref sbyte w, int pairs, ref short q, int qStride, ref float rowScales, ref float y, int yStride, ref int row, ref float inputScale)
        where TDot : struct, IInt8DotOps<TI, TAcc>
        where TI : struct
        where TAcc : struct
        where TShape : struct, ICount
        where TRows : struct, ICount
    {
        int rows = TRows.Value;
        int pairBytes = TShape.Value * 2 * TDot.Lanes;
        TAcc a0 = TDot.Zero, a1 = TDot.Zero, a2 = TDot.Zero, a3 = TDot.Zero;
        TAcc b0 = TDot.Zero, b1 = TDot.Zero, b2 = TDot.Zero, b3 = TDot.Zero;
        TAcc c0 = TDot.Zero, c1 = TDot.Zero, c2 = TDot.Zero, c3 = TDot.Zero;
        TAcc d0 = TDot.Zero, d1 = TDot.Zero, d2 = TDot.Zero, d3 = TDot.Zero;
        ref sbyte wp = ref w;
        ref short qp = ref q;
        for (int p = 0; p < pairs; p++)
        {
            LoadPair<TDot, TI, TAcc, TShape>(ref wp, out TI w0, out TI w1, out TI w2, out TI w3);
            PanelRow.MultiplyAdd<TDot, TI, TAcc, TShape>(TDot.BroadcastPair(ref qp), w0, w1, w2, w3, ref a0, ref a1, ref a2, ref a3);
            if (rows > 1)
            {
                PanelRow.MultiplyAdd<TDot, TI, TAcc, TShape>(
                    TDot.BroadcastPair(ref Unsafe.Add(ref qp, qStride)), w0, w1, w2, w3, ref b0, ref b1, ref b2, ref b3);
            }

            if (rows > 2)
            {
                PanelRow.MultiplyAdd<TDot, TI, TAcc, TShape>(
                    TDot.BroadcastPair(ref Unsafe.Add(ref qp, 2 * qStride)), w0, w1, w2, w3, ref c0, ref c1, ref c2, ref c3);
                PanelRow.MultiplyAdd<TDot, TI, TAcc, TShape>(
                    TDot.BroadcastPair(ref Unsafe.Add(ref qp, 3 * qStride)), w0, w1, w2, w3, ref d0, ref d1, ref d2, ref d3);
            }

            wp = ref Unsafe.Add(ref wp, pairBytes);
            qp = ref Unsafe.Add(ref qp, 2);
        }

        StoreRow<TDot, TI, TAcc, TShape>(a0, a1, a2, a3, ref rowScales, inputScale, ref Unsafe.Add(ref y, row * yStride));
        if (rows > 1)
        {
            StoreRow<TDot, TI, TAcc, TShape>(b0, b1, b2, b3, ref rowScales, Unsafe.Add(ref inputScale, 1), ref Unsafe.Add(ref y, Unsafe.Add(ref row, 1) * yStride));
        }

        if (rows > 2)
        {
            StoreRow<TDot, TI, TAcc, TShape>(c0, c1, c2, c3, ref rowScales, Unsafe.Add(ref inputScale, 2), ref Unsafe.Add(ref y, Unsafe.Add(ref row, 2) * yStride));
            StoreRow<TDot, TI, TAcc, TShape>(d0, d1, d2, d3, ref rowScales, Unsafe.Add(ref inputScale, 3), ref Unsafe.Add(ref y, Unsafe.Add(ref row, 3) * yStride));
        }
    }

    // The weights of one column pair for the shape's vectors ([vector][lane][2]) as int16; the vectors it lacks are zero.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LoadPair<TDot, TI, TAcc, TShape>(ref sbyte w, out TI w0, out TI w1, out TI w2, out TI w3)
        where TDot : struct, IInt8DotOps<TI, TAcc>
        where TI : struct
        where TAcc : struct
        where TShape : struct, ICount
    {
        int vectorBytes = 2 * TDot.Lanes; // one vector of rows × a column pair
        w0 = TDot.LoadWeights(ref w);
        w1 = TShape.Value > 1 ? TDot.LoadWeights(ref Unsafe.Add(ref w, vectorBytes)) : default;
        w2 = TShape.Value > 2 ? TDot.LoadWeights(ref Unsafe.Add(ref w, 2 * vectorBytes)) : default;
        w3 = TShape.Value > 3 ? TDot.LoadWeights(ref Unsafe.Add(ref w, 3 * vectorBytes)) : default;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TDot, TI, TAcc, TShape>(TAcc s0, TAcc s1, TAcc s2, TAcc s3, ref float rowScales, float inputScale, ref float y)
        where TDot : struct, IInt8DotOps<TI, TAcc>
        where TI : struct
        where TAcc : struct
        where TShape : struct, ICount
    {
        int n = TDot.Lanes;
        TDot.AddScaled(s0, ref rowScales, inputScale, ref y);
        if (TShape.Value > 1)
        {
            TDot.AddScaled(s1, ref Unsafe.Add(ref rowScales, n), inputScale, ref Unsafe.Add(ref y, n));
        }

        if (TShape.Value > 2)
        {
            TDot.AddScaled(s2, ref Unsafe.Add(ref rowScales, 2 * n), inputScale, ref Unsafe.Add(ref y, 2 * n));
        }

        if (TShape.Value > 3)
        {
            TDot.AddScaled(s3, ref Unsafe.Add(ref rowScales, 3 * n), inputScale, ref Unsafe.Add(ref y, 3 * n));
        }
    }

    // One row that is not quantized, over panels [first, end), by the float widening path.
    private static void FloatRow<TOps, TVec>(PackedMatrix w, int first, int end, ref float x, ref float y)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int fullEnd = Math.Min(end, w.Panels - 1);
        if (first < fullEnd)
        {
            FloatByVectors<TOps, TVec>(w.PanelVectors, w, first, fullEnd, ref x, ref y);
        }

        if (end == w.Panels)
        {
            FloatByVectors<TOps, TVec>(w.LastPanelVectors, w, w.Panels - 1, w.Panels, ref x, ref y);
        }
    }

    private static void FloatByVectors<TOps, TVec>(int vectors, PackedMatrix w, int first, int end, ref float x, ref float y)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        switch (vectors)
        {
            case 1:
                FloatPanels<TOps, TVec, One>(w, first, end, ref x, ref y);
                break;
            case 2:
                FloatPanels<TOps, TVec, Two>(w, first, end, ref x, ref y);
                break;
            case 3:
                FloatPanels<TOps, TVec, Three>(w, first, end, ref x, ref y);
                break;
            default:
                FloatPanels<TOps, TVec, Four>(w, first, end, ref x, ref y);
                break;
        }
    }

    // The float kernel's arithmetic on the pairwise layout, on the dequantized weights q · s (what
    // ReadRow gives): per output one multiply-add chain over the columns in order (even, then odd column
    // of each pair; no read of x past the last column), then the add into Y, exactly as the float32 and
    // bf16 matrices are computed. (Scaling the sum instead would overflow where (q · s) · x does not:
    // these rows are the huge ones.)
    private static void FloatPanels<TOps, TVec, TShape>(PackedMatrix w, int first, int end, ref float x, ref float y)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        where TShape : struct, ICount
    {
        int n = TOps.Count;
        int v = TShape.Value;
        int vectorBytes = 2 * n;
        int pairBytes = v * vectorBytes;
        int panelFloats = w.PanelVectors * n;
        int panelStride = w.StoredColumns * panelFloats;
        int columns = w.Columns;
        int pairs = columns / 2;
        int trips = pairs + (columns & 1); // an odd count ends with a pair of which only the even column is real
        ref sbyte wBase = ref Unsafe.As<byte, sbyte>(ref MemoryMarshal.GetReference(w.Bytes));
        ref float sBase = ref MemoryMarshal.GetReference(w.Scales);
        for (int panel = first; panel < end; panel++)
        {
            ref sbyte wPanel = ref Unsafe.Add(ref wBase, panel * panelStride);
            int yOffset = panel * panelFloats;
            ref float scale = ref Unsafe.Add(ref sBase, yOffset);
            TVec s0 = TOps.Load(ref scale);
            TVec s1 = v > 1 ? TOps.Load(ref Unsafe.Add(ref scale, n)) : TOps.Zero;
            TVec s2 = v > 2 ? TOps.Load(ref Unsafe.Add(ref scale, 2 * n)) : TOps.Zero;
            TVec s3 = v > 3 ? TOps.Load(ref Unsafe.Add(ref scale, 3 * n)) : TOps.Zero;
            TVec a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
            for (int p = 0; p < trips; p++)
            {
                ref sbyte wp = ref Unsafe.Add(ref wPanel, p * pairBytes);
                bool both = p < pairs;
                TVec xe = TOps.Broadcast(Unsafe.Add(ref x, 2 * p));
                TVec xo = both ? TOps.Broadcast(Unsafe.Add(ref x, (2 * p) + 1)) : TOps.Zero;
                a0 = PairTerms<TOps, TVec>(ref wp, s0, xe, xo, both, a0);
                if (v > 1)
                {
                    a1 = PairTerms<TOps, TVec>(ref Unsafe.Add(ref wp, vectorBytes), s1, xe, xo, both, a1);
                }

                if (v > 2)
                {
                    a2 = PairTerms<TOps, TVec>(ref Unsafe.Add(ref wp, 2 * vectorBytes), s2, xe, xo, both, a2);
                }

                if (v > 3)
                {
                    a3 = PairTerms<TOps, TVec>(ref Unsafe.Add(ref wp, 3 * vectorBytes), s3, xe, xo, both, a3);
                }
            }

            ref float yPanel = ref Unsafe.Add(ref y, yOffset);
            AddInto<TOps, TVec>(ref yPanel, a0);
            if (v > 1)
            {
                AddInto<TOps, TVec>(ref Unsafe.Add(ref yPanel, n), a1);
            }

            if (v > 2)
            {
                AddInto<TOps, TVec>(ref Unsafe.Add(ref yPanel, 2 * n), a2);
            }

            if (v > 3)
            {
                AddInto<TOps, TVec>(ref Unsafe.Add(ref yPanel, 3 * n), a3);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec PairTerms<TOps, TVec>(ref sbyte w, TVec scale, TVec xe, TVec xo, bool both, TVec acc)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        TOps.LoadInt8Pairs(ref w, out TVec even, out TVec odd);
        acc = TOps.MultiplyAdd(TOps.Multiply(even, scale), xe, acc);
        return both ? TOps.MultiplyAdd(TOps.Multiply(odd, scale), xo, acc) : acc;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddInto<TOps, TVec>(ref float y, TVec sum)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        => TOps.Store(TOps.Add(TOps.Load(ref y), sum), ref y);

    /// <summary>The stored columns [C0, C1) of a block of Count quantized rows, QStride shorts apart in the scratch.</summary>
    private readonly struct ColumnBlock(int c0, int c1, int qStride, int count)
    {
        public int C0 { get; } = c0;

        public int C1 { get; } = c1;

        public int QStride { get; } = qStride;

        public int Count { get; } = count;
    }
}

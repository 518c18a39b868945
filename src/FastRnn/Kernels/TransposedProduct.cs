using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastRnn.Kernels;

/// <summary>
/// C[m, 0..n) += Σ_k A[k, columns[m]] · B[k, 0..n): the weight-gradient product dW += δᵀ X over
/// every row (all time steps and batch rows at once), reading δ's packed gate columns through a
/// map so the result lands in PyTorch row order.
/// </summary>
internal static class TransposedProduct
{
    // Rows of A and B per pass. Each pass copies its block of B (RowChunk rows by up to four
    // vectors of columns) into a contiguous, 64-byte aligned buffer that stays in L1 while every
    // row of C sweeps over it: read in place, B's rows are a power-of-two apart for common sizes
    // (1 KiB for H = 256) and map to a few L1 sets, so the block would be refetched from L2.
    private const int RowChunk = 64;

    // Floats of the packed block: RowChunk rows of at most four 16-float vectors, plus alignment slack.
    private const int PackedFloats = (RowChunk * 4 * 16) + 16;

    /// <summary>Accumulates the product.</summary>
    /// <param name="a">[k, lda] left operand rows (e.g. gate gradients in packed order).</param>
    /// <param name="lda">Row stride of A.</param>
    /// <param name="columns">[M] the column of A that feeds each row of C.</param>
    /// <param name="b">[k, ldb] right operand rows (e.g. the layer inputs).</param>
    /// <param name="ldb">Row stride of B.</param>
    /// <param name="n">Columns of B and C used.</param>
    /// <param name="k">Rows of A and B.</param>
    /// <param name="c">[M, ldc] accumulated result.</param>
    /// <param name="ldc">Row stride of C.</param>
    public static void Accumulate(
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<int> columns, ReadOnlySpan<float> b, int ldb, int n, int k, Span<float> c, int ldc)
    {
        int m = columns.Length;
        if (k <= 0 || m == 0 || n == 0)
        {
            return;
        }

        int maxColumn = 0;
        foreach (int column in columns)
        {
            maxColumn = Math.Max(maxColumn, column);
        }

        if (maxColumn >= lda || a.Length < ((k - 1) * lda) + maxColumn + 1 || ldb < n || b.Length < ((k - 1) * ldb) + n || ldc < n
            || c.Length < ((m - 1) * ldc) + n)
        {
            throw new ArgumentException(
                $"Transposed product expects A [{k}, {lda}] (columns < {lda}), B [{k}, {n}] with stride {ldb}, C [{m}, {n}] with stride {ldc}.");
        }

        var kernel = new Kernel { A = a, Lda = lda, Columns = columns, B = b, Ldb = ldb, N = n, K = k, C = c, Ldc = ldc };
        SimdDispatch.Run(ref kernel);
    }

    private ref struct Kernel : ISimdKernel
    {
        public ReadOnlySpan<float> A;     // [k, lda]
        public int Lda;
        public ReadOnlySpan<int> Columns; // [M]
        public ReadOnlySpan<float> B;     // [k, ldb]
        public int Ldb;
        public int N;
        public int K;
        public Span<float> C;             // [M, ldc]
        public int Ldc;

        public readonly void Run<TOps, TVec>()
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
        {
            // Locals, not fields, in the loops: the JIT keeps them in registers.
            ReadOnlySpan<float> a = A, b = B;
            ReadOnlySpan<int> columns = Columns;
            Span<float> c = C;
            int lda = Lda, ldb = Ldb, n = N, k = K, ldc = Ldc;
            int width = TOps.Count;
            int vectorColumns = n / width * width;
            Span<float> raw = stackalloc float[PackedFloats];
            Span<float> packed = Aligned(raw); // [RowChunk, up to 4 * width] the current block of B
            for (int k0 = 0; k0 < k; k0 += RowChunk)
            {
                int k1 = Math.Min(k, k0 + RowChunk);
                int n0 = 0;
                if (TOps.BatchBlock == 4)
                {
                    for (; n0 + (4 * width) <= vectorColumns; n0 += 4 * width)
                    {
                        Block<TOps, TVec, Four>(a, lda, columns, b, ldb, k0, k1, n0, c, ldc, packed);
                    }
                }

                for (; n0 + (2 * width) <= vectorColumns; n0 += 2 * width)
                {
                    Block<TOps, TVec, Two>(a, lda, columns, b, ldb, k0, k1, n0, c, ldc, packed);
                }

                for (; n0 < vectorColumns; n0 += width)
                {
                    Block<TOps, TVec, One>(a, lda, columns, b, ldb, k0, k1, n0, c, ldc, packed);
                }

                for (; n0 < n; n0++)
                {
                    Rows<ScalarOps, float, One>(a, lda, columns, b, ldb, 0, k0, k1, n0, c, ldc);
                }
            }
        }
    }

    // Rows k0..k1 of one block of columns of B, copied first where that pays (vector paths; a
    // scalar "block" is one or two floats per row, and copying it would cost what it saves).
    private static void Block<TOps, TVec, TShape>(
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<int> columns, ReadOnlySpan<float> b, int ldb, int k0, int k1, int n0, Span<float> c, int ldc,
        Span<float> packed)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        where TShape : struct, ICount
    {
        int count = TShape.Value * TOps.Count;
        if (TOps.Count == 1)
        {
            Rows<TOps, TVec, TShape>(a, lda, columns, b, ldb, 0, k0, k1, n0, c, ldc);
            return;
        }

        Pack(b, ldb, k0, k1, n0, count, packed);
        Rows<TOps, TVec, TShape>(a, lda, columns, packed, count, k0, k0, k1, 0, c[n0..], ldc);
    }

    // The first float of `raw` at a 64-byte boundary onwards (stack memory does not move).
    private static unsafe Span<float> Aligned(Span<float> raw)
    {
        fixed (float* p = raw)
        {
            int skip = (int)((64 - ((nuint)p % 64)) % 64) / sizeof(float);
            return raw[skip..];
        }
    }

    // packed[kk - k0, 0..count) = B[kk, n0..n0+count) for kk in [k0, k1).
    private static void Pack(ReadOnlySpan<float> b, int ldb, int k0, int k1, int n0, int count, Span<float> packed)
    {
        for (int kk = k0; kk < k1; kk++)
        {
            b.Slice((kk * ldb) + n0, count).CopyTo(packed.Slice((kk - k0) * count, count));
        }
    }

    // Rows of B are rows bK0, bK0 + 1, ... of the product's K (bK0 = k0 for a packed block, 0 in place).
    private static void Rows<TOps, TVec, TShape>(
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<int> columns, ReadOnlySpan<float> b, int ldb, int bK0, int k0, int k1, int n0, Span<float> c,
        int ldc)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        where TShape : struct, ICount
    {
        int m = columns.Length;
        int row = 0;
        for (; row + 4 <= m; row += 4)
        {
            RowBlock<TOps, TVec, TShape, Four>(a, lda, columns.Slice(row, 4), b, ldb, bK0, k0, k1, n0, c.Slice((row * ldc) + n0), ldc);
        }

        for (; row < m; row++)
        {
            RowBlock<TOps, TVec, TShape, One>(a, lda, columns.Slice(row, 1), b, ldb, bK0, k0, k1, n0, c.Slice((row * ldc) + n0), ldc);
        }
    }

    // TRows (four or one) rows of C by up to four vectors: 16 accumulators, each summing over k in order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowBlock<TOps, TVec, TShape, TRows>(
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<int> columns, ReadOnlySpan<float> b, int ldb, int bK0, int k0, int k1, int n0, Span<float> c,
        int ldc)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        where TShape : struct, ICount
        where TRows : struct, ICount
    {
        int rows = TRows.Value;
        ref float aBase = ref MemoryMarshal.GetReference(a);
        ref float bBase = ref MemoryMarshal.GetReference(b);
        int c0 = columns[0];
        int c1 = rows > 1 ? columns[1] : c0;
        int c2 = rows > 2 ? columns[2] : c0;
        int c3 = rows > 3 ? columns[3] : c0;
        TVec p0 = TOps.Zero, p1 = TOps.Zero, p2 = TOps.Zero, p3 = TOps.Zero;
        TVec q0 = TOps.Zero, q1 = TOps.Zero, q2 = TOps.Zero, q3 = TOps.Zero;
        TVec r0 = TOps.Zero, r1 = TOps.Zero, r2 = TOps.Zero, r3 = TOps.Zero;
        TVec s0 = TOps.Zero, s1 = TOps.Zero, s2 = TOps.Zero, s3 = TOps.Zero;
        for (int kk = k0; kk < k1; kk++)
        {
            ref float aRow = ref Unsafe.Add(ref aBase, kk * lda);
            PanelRow.Load<TOps, TVec, TShape>(ref Unsafe.Add(ref bBase, ((kk - bK0) * ldb) + n0), out TVec x0, out TVec x1, out TVec x2, out TVec x3);
            PanelRow.MultiplyAdd<TOps, TVec, TVec, TShape>(TOps.Broadcast(Unsafe.Add(ref aRow, c0)), x0, x1, x2, x3, ref p0, ref p1, ref p2, ref p3);
            if (rows > 1)
            {
                PanelRow.MultiplyAdd<TOps, TVec, TVec, TShape>(TOps.Broadcast(Unsafe.Add(ref aRow, c1)), x0, x1, x2, x3, ref q0, ref q1, ref q2, ref q3);
                PanelRow.MultiplyAdd<TOps, TVec, TVec, TShape>(TOps.Broadcast(Unsafe.Add(ref aRow, c2)), x0, x1, x2, x3, ref r0, ref r1, ref r2, ref r3);
                PanelRow.MultiplyAdd<TOps, TVec, TVec, TShape>(TOps.Broadcast(Unsafe.Add(ref aRow, c3)), x0, x1, x2, x3, ref s0, ref s1, ref s2, ref s3);
            }
        }

        ref float cBase = ref MemoryMarshal.GetReference(c);
        PanelRow.Write<TOps, TVec, TShape>(ref cBase, p0, p1, p2, p3, ProductWrite.Accumulate);
        if (rows > 1)
        {
            PanelRow.Write<TOps, TVec, TShape>(ref Unsafe.Add(ref cBase, ldc), q0, q1, q2, q3, ProductWrite.Accumulate);
            PanelRow.Write<TOps, TVec, TShape>(ref Unsafe.Add(ref cBase, 2 * ldc), r0, r1, r2, r3, ProductWrite.Accumulate);
            PanelRow.Write<TOps, TVec, TShape>(ref Unsafe.Add(ref cBase, 3 * ldc), s0, s1, s2, s3, ProductWrite.Accumulate);
        }
    }
}

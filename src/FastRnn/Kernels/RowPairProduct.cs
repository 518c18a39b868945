using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastRnn.Kernels;

/// <summary>
/// y = A · a + B · b for one row: a batch-1 step's input and recurrent products into the same gates,
/// in one pass; or, for a GRU (whose candidate gate multiplies the recurrent part by the reset gate),
/// y_a = A · a and y_b = B · b apart, in the same one pass. A row alone is bound by the latency of its
/// accumulator chains (each FMA waits for the one before it, four chains per panel), not by loads,
/// while its weights sit in L1; the two products side by side run eight chains, so a core with two
/// FMA ports does both in about the time of one.
/// </summary>
/// <remarks>
/// Every output keeps its own chain over each matrix's columns in the same order as
/// <see cref="PackedMatMul"/>, and the two sums meet as the two-pass product meets them (A's sum,
/// stored, then B's added to it) or are stored as the two-pass product stores them: the result is
/// the same bits as <see cref="PackedMatMul.MultiplyPanels"/> of A followed by
/// <see cref="PackedMatMul.MultiplyAddPanels"/> (or <see cref="PackedMatMul.MultiplyPanels"/>) of B,
/// so a stream's step matches the same row in a batch or in a sequence. float32 and bfloat16
/// weights; int8 matrices take the two-pass integer kernel (<see cref="Supports"/>).
/// </remarks>
internal static class RowPairProduct
{
    /// <summary>Whether A and B can run as one pass: packed alike, for the active path, in a float format.</summary>
    public static bool Supports(PackedMatrix a, PackedMatrix b) =>
        a.Format != WeightFormat.Int8 && a.Format == b.Format && a.Width == b.Width && a.PaddedRows == b.PaddedRows
        && a.PanelVectors == b.PanelVectors && a.LastPanelVectors == b.LastPanelVectors;

    /// <summary>Writes y = A · a + B · b over panels [firstPanel, endPanel) of both, walked in <paramref name="order"/> (no bit depends on it).</summary>
    /// <param name="a">[PaddedRows, a.Columns] the first matrix (the input weights).</param>
    /// <param name="b">[PaddedRows, b.Columns] the second (the recurrent weights), packed like <paramref name="a"/>.</param>
    /// <param name="firstPanel">First panel of both.</param>
    /// <param name="endPanel">End of the panels.</param>
    /// <param name="xa">[a.Columns] the row A multiplies.</param>
    /// <param name="xb">[b.Columns] the row B multiplies.</param>
    /// <param name="y">[PaddedRows] the output row in packed order; the panels' columns are written.</param>
    /// <param name="order">Which way to walk the panels (<see cref="AlternatingPanels"/>).</param>
    public static void MultiplyPanels(
        PackedMatrix a, PackedMatrix b, int firstPanel, int endPanel, ReadOnlySpan<float> xa, ReadOnlySpan<float> xb, Span<float> y, PanelOrder order) =>
        ByPath(null, a, b, firstPanel, endPanel, xa, xb, y, default, order);

    /// <summary>Writes y_a = A · a and y_b = B · b over panels [firstPanel, endPanel) of both, in one pass walked in <paramref name="order"/>.</summary>
    /// <param name="a">[PaddedRows, a.Columns] the first matrix (the input weights).</param>
    /// <param name="b">[PaddedRows, b.Columns] the second (the recurrent weights), packed like <paramref name="a"/>.</param>
    /// <param name="firstPanel">First panel of both.</param>
    /// <param name="endPanel">End of the panels.</param>
    /// <param name="xa">[a.Columns] the row A multiplies.</param>
    /// <param name="xb">[b.Columns] the row B multiplies.</param>
    /// <param name="ya">[PaddedRows] A's product in packed order; the panels' columns are written.</param>
    /// <param name="yb">[PaddedRows] B's product in packed order; the panels' columns are written.</param>
    /// <param name="order">Which way to walk the panels (<see cref="AlternatingPanels"/>).</param>
    public static void MultiplyPanelsApart(
        PackedMatrix a, PackedMatrix b, int firstPanel, int endPanel, ReadOnlySpan<float> xa, ReadOnlySpan<float> xb, Span<float> ya, Span<float> yb, PanelOrder order)
    {
        if (yb.Length < b.PaddedRows)
        {
            throw new ArgumentException($"Expected B's output of {b.PaddedRows} floats, got {yb.Length}.", nameof(yb));
        }

        ByPath(null, a, b, firstPanel, endPanel, xa, xb, ya, yb, order);
    }

    /// <summary>The product on an explicit path (tests run every path the CPU has in one process); <paramref name="yb"/> empty: summed into <paramref name="y"/>.</summary>
    internal static void ByShape(
        SimdPath path, PackedMatrix a, PackedMatrix b, ReadOnlySpan<float> xa, ReadOnlySpan<float> xb, Span<float> y, Span<float> yb, PanelOrder order) =>
        ByPath(path, a, b, 0, a.Panels, xa, xb, y, yb, order);

    // yb empty: y = A·a + B·b; otherwise y = A·a and yb = B·b.
    private static void ByPath(
        SimdPath? path, PackedMatrix a, PackedMatrix b, int firstPanel, int endPanel, ReadOnlySpan<float> xa, ReadOnlySpan<float> xb, Span<float> y, Span<float> yb,
        PanelOrder order)
    {
        if (!Supports(a, b))
        {
            throw new ArgumentException($"Matrices [{a.PaddedRows}, {a.Columns}] ({a.Format}) and [{b.PaddedRows}, {b.Columns}] ({b.Format}) are not packed alike in a float format.", nameof(b));
        }

        if (a.Width != (path is { } p ? Isa.WidthOf(p) : Isa.FloatsPerVector))
        {
            throw new InvalidOperationException($"Matrices packed for width {a.Width}, not the path's.");
        }

        if (firstPanel < 0 || endPanel > a.Panels || firstPanel > endPanel)
        {
            throw new ArgumentException($"Panels [{firstPanel}, {endPanel}) of matrices with {a.Panels}.");
        }

        if (xa.Length < a.Columns || xb.Length < b.Columns || y.Length < a.PaddedRows || (!yb.IsEmpty && yb.Length < b.PaddedRows))
        {
            throw new ArgumentException(
                $"Expected rows of {a.Columns} and {b.Columns} floats and outputs of {a.PaddedRows}, got {xa.Length}, {xb.Length}, {y.Length} and {yb.Length} (0: summed).");
        }

        var kernel = new Kernel { A = a, B = b, FirstPanel = firstPanel, EndPanel = endPanel, Xa = xa, Xb = xb, Y = y, Yb = yb, Descending = order == PanelOrder.Descending };
        if (path is { } chosen)
        {
            SimdDispatch.Run(chosen, ref kernel);
        }
        else
        {
            SimdDispatch.Run(ref kernel);
        }
    }

    private ref struct Kernel : ISimdKernel
    {
        public PackedMatrix A;
        public PackedMatrix B;
        public int FirstPanel;
        public int EndPanel;
        public ReadOnlySpan<float> Xa; // [a.Columns]
        public ReadOnlySpan<float> Xb; // [b.Columns]
        public Span<float> Y;          // [PaddedRows] A·a + B·b, or A·a when Yb is given
        public Span<float> Yb;         // [PaddedRows] B·b, or empty
        public bool Descending;        // panels last to first

        public readonly void Run<TOps, TVec>()
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
        {
            if (A.Format == WeightFormat.BFloat16)
            {
                Panels<TOps, TVec, BFloat16Weights>();
            }
            else
            {
                Panels<TOps, TVec, Float32Weights>();
            }
        }

        private readonly void Panels<TOps, TVec, TW>()
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
            where TW : struct, IWeightFormat
        {
            PackedMatrix a = A, b = B;
            int panelFloats = a.PanelVectors * TOps.Count;
            int strideA = a.Columns * panelFloats * TW.ElementBytes, strideB = b.Columns * panelFloats * TW.ElementBytes; // bytes per panel
            ref byte wa = ref MemoryMarshal.GetReference(a.Bytes);
            ref byte wb = ref MemoryMarshal.GetReference(b.Bytes);
            ref float xa = ref MemoryMarshal.GetReference(Xa);
            ref float xb = ref MemoryMarshal.GetReference(Xb);
            ref float y = ref MemoryMarshal.GetReference(Y);
            bool apart = !Yb.IsEmpty;
            ref float yb = ref apart ? ref MemoryMarshal.GetReference(Yb) : ref y;
            int first = FirstPanel, count = EndPanel - FirstPanel;
            bool descending = Descending;
            for (int i = 0; i < count; i++)
            {
                int panel = descending ? first + count - 1 - i : first + i;
                ref byte pa = ref Unsafe.Add(ref wa, panel * strideA);
                ref byte pb = ref Unsafe.Add(ref wb, panel * strideB);
                ref float yp = ref Unsafe.Add(ref y, panel * panelFloats);
                ref float ybp = ref Unsafe.Add(ref yb, panel * panelFloats);
                switch (panel == a.Panels - 1 ? a.LastPanelVectors : a.PanelVectors)
                {
                    case 1:
                        Row<TOps, TVec, TW, One>(ref pa, a.Columns, ref xa, ref pb, b.Columns, ref xb, ref yp, ref ybp, apart);
                        break;
                    case 2:
                        Row<TOps, TVec, TW, Two>(ref pa, a.Columns, ref xa, ref pb, b.Columns, ref xb, ref yp, ref ybp, apart);
                        break;
                    case 3:
                        Row<TOps, TVec, TW, Three>(ref pa, a.Columns, ref xa, ref pb, b.Columns, ref xb, ref yp, ref ybp, apart);
                        break;
                    default:
                        Row<TOps, TVec, TW, Four>(ref pa, a.Columns, ref xa, ref pb, b.Columns, ref xb, ref yp, ref ybp, apart);
                        break;
                }
            }
        }
    }

    // One panel of each matrix: A's chains (a0..a3) and B's (b0..b3) side by side over their common
    // columns, then the rest of the longer one; y = A's sum + B's sum, as the two-pass product leaves it,
    // or, apart, y = A's sum and yb = B's sum.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Row<TOps, TVec, TW, TShape>(ref byte wa, int columnsA, ref float xa, ref byte wb, int columnsB, ref float xb, ref float y, ref float yb, bool apart)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        where TW : struct, IWeightFormat
        where TShape : struct, ICount
    {
        int columnBytes = TShape.Value * TOps.Count * TW.ElementBytes;
        TVec a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
        TVec b0 = TOps.Zero, b1 = TOps.Zero, b2 = TOps.Zero, b3 = TOps.Zero;
        int common = Math.Min(columnsA, columnsB);
        int k = 0;
        for (; k < common; k++)
        {
            TW.LoadColumn<TOps, TVec, TShape>(ref Unsafe.Add(ref wa, k * columnBytes), out TVec p0, out TVec p1, out TVec p2, out TVec p3);
            PanelRow.MultiplyAdd<TOps, TVec, TVec, TShape>(TOps.Broadcast(Unsafe.Add(ref xa, k)), p0, p1, p2, p3, ref a0, ref a1, ref a2, ref a3);
            TW.LoadColumn<TOps, TVec, TShape>(ref Unsafe.Add(ref wb, k * columnBytes), out TVec q0, out TVec q1, out TVec q2, out TVec q3);
            PanelRow.MultiplyAdd<TOps, TVec, TVec, TShape>(TOps.Broadcast(Unsafe.Add(ref xb, k)), q0, q1, q2, q3, ref b0, ref b1, ref b2, ref b3);
        }

        for (int ka = k; ka < columnsA; ka++)
        {
            TW.LoadColumn<TOps, TVec, TShape>(ref Unsafe.Add(ref wa, ka * columnBytes), out TVec p0, out TVec p1, out TVec p2, out TVec p3);
            PanelRow.MultiplyAdd<TOps, TVec, TVec, TShape>(TOps.Broadcast(Unsafe.Add(ref xa, ka)), p0, p1, p2, p3, ref a0, ref a1, ref a2, ref a3);
        }

        for (int kb = k; kb < columnsB; kb++)
        {
            TW.LoadColumn<TOps, TVec, TShape>(ref Unsafe.Add(ref wb, kb * columnBytes), out TVec q0, out TVec q1, out TVec q2, out TVec q3);
            PanelRow.MultiplyAdd<TOps, TVec, TVec, TShape>(TOps.Broadcast(Unsafe.Add(ref xb, kb)), q0, q1, q2, q3, ref b0, ref b1, ref b2, ref b3);
        }

        if (apart)
        {
            PanelRow.Write<TOps, TVec, TShape>(ref y, a0, a1, a2, a3, ProductWrite.Overwrite);
            PanelRow.Write<TOps, TVec, TShape>(ref yb, b0, b1, b2, b3, ProductWrite.Overwrite);
            return;
        }

        PanelRow.Write<TOps, TVec, TShape>(ref y, TOps.Add(a0, b0), TOps.Add(a1, b1), TOps.Add(a2, b2), TOps.Add(a3, b3), ProductWrite.Overwrite);
    }
}

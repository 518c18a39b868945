using System;
using System.Collections.Generic;
using FastRnn.Kernels;

namespace FastRnn.Diagnostics;

/// <summary>
/// Checks one stream's paired product (<see cref="RowPairProduct"/>: y = A·a + B·b for one row, or
/// A·a and B·b apart, a GRU's) on the active path against the same sums in double precision, walking
/// the panels either way in turn.
/// </summary>
internal static class RowPairProductCheck
{
    private const double Allowed = 1e-5;

    public static void Run(List<SelfCheckRow> rows)
    {
        int[] sizes = MatMulCheck.Sizes;
        var random = new SeededValues(13);
        double worst = 0, worstApart = 0;
        foreach (int gates in new[] { 1, 3, 4 })
        {
            foreach (int units in sizes)
            {
                for (int i = 0; i < sizes.Length; i++)
                {
                    // A's columns from one end of the sizes, B's from the other: either matrix the wider one.
                    int columns = sizes[i], other = sizes[sizes.Length - 1 - i];
                    PanelOrder order = i % 2 == 0 ? PanelOrder.Ascending : PanelOrder.Descending;
                    worst = ErrorMeasure.Worst(worst, Error(random, gates, units, columns, other, order, apart: false));
                    worstApart = ErrorMeasure.Worst(worstApart, Error(random, gates, units, columns, other, order, apart: true));
                }
            }
        }

        rows.Add(new SelfCheckRow("RowPairProduct (one stream's two products)", Isa.Active, "gates 1, 3, 4; units, columns 1..33; both panel orders", worst, Allowed));
        rows.Add(new SelfCheckRow("RowPairProduct apart (a GRU stream's two products)", Isa.Active, "gates 1, 3, 4; units, columns 1..33; both panel orders", worstApart, Allowed));
    }

    // Summed: the error of A·a + B·b. Apart: the worse of A·a's and B·b's, each against its own terms.
    private static double Error(SeededValues random, int gates, int units, int columnsA, int columnsB, PanelOrder order, bool apart)
    {
        int rows = gates * units;
        int width = Isa.FloatsPerVector;
        float[] wa = random.Array(rows * columnsA, -1f, 1f);
        float[] wb = random.Array(rows * columnsB, -1f, 1f);
        float[] xa = random.Array(columnsA, -1f, 1f);
        float[] xb = random.Array(columnsB, -1f, 1f);
        PackedMatrix a = PackedMatrix.Pack(wa, gates, units, columnsA);
        PackedMatrix b = PackedMatrix.Pack(wb, gates, units, columnsB);
        float[] y = random.Array(a.PaddedRows, -1f, 1f); // written, not added to
        if (!apart)
        {
            RowPairProduct.MultiplyPanels(a, b, 0, a.Panels, xa, xb, y, order);
            (double[] expected, double scale) = Sums(rows, (wa, columnsA, xa), (wb, columnsB, xb));
            return ErrorMeasure.RelativeToTerms(Unpacked(y, gates, units, width), expected, scale);
        }

        float[] yb = random.Array(b.PaddedRows, -1f, 1f);
        RowPairProduct.MultiplyPanelsApart(a, b, 0, a.Panels, xa, xb, y, yb, order);
        (double[] expectedA, double scaleA) = Sums(rows, (wa, columnsA, xa));
        (double[] expectedB, double scaleB) = Sums(rows, (wb, columnsB, xb));
        return ErrorMeasure.Worst(
            ErrorMeasure.RelativeToTerms(Unpacked(y, gates, units, width), expectedA, scaleA),
            ErrorMeasure.RelativeToTerms(Unpacked(yb, gates, units, width), expectedB, scaleB));
    }

    // Per row, the sum of every product's terms in double, and the largest sum of their magnitudes.
    private static (double[] Sums, double Scale) Sums(int rows, params (float[] W, int Columns, float[] X)[] products)
    {
        double[] expected = new double[rows];
        double scale = 0;
        for (int row = 0; row < rows; row++)
        {
            double sum = 0, magnitude = 0;
            foreach ((float[] w, int columns, float[] x) in products)
            {
                for (int k = 0; k < columns; k++)
                {
                    double term = (double)w[(row * columns) + k] * x[k];
                    sum += term;
                    magnitude += Math.Abs(term);
                }
            }

            expected[row] = sum;
            scale = Math.Max(scale, magnitude);
        }

        return (expected, scale);
    }

    // The logical rows [gates * units] of a product in packed order.
    private static float[] Unpacked(float[] packed, int gates, int units, int width)
    {
        float[] actual = new float[gates * units];
        for (int g = 0; g < gates; g++)
        {
            for (int u = 0; u < units; u++)
            {
                actual[(g * units) + u] = packed[PackedLayout.Index(gates, width, g, u)];
            }
        }

        return actual;
    }
}

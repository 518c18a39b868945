using System;
using System.Collections.Generic;
using FastRnn.Kernels;

namespace FastRnn.Diagnostics;

/// <summary>
/// Checks one stream's paired product (<see cref="RowPairProduct"/>: y = A·a + B·b for one row) on
/// the active path against the same sums in double precision, walking the panels either way in turn.
/// </summary>
internal static class RowPairProductCheck
{
    private const double Allowed = 1e-5;

    public static void Run(List<SelfCheckRow> rows)
    {
        int[] sizes = MatMulCheck.Sizes;
        var random = new SeededValues(13);
        double worst = 0;
        foreach (int gates in new[] { 1, 3, 4 })
        {
            foreach (int units in sizes)
            {
                for (int i = 0; i < sizes.Length; i++)
                {
                    // A's columns from one end of the sizes, B's from the other: either matrix the wider one.
                    int columns = sizes[i], other = sizes[sizes.Length - 1 - i];
                    PanelOrder order = i % 2 == 0 ? PanelOrder.Ascending : PanelOrder.Descending;
                    worst = ErrorMeasure.Worst(worst, Error(random, gates, units, columns, other, order));
                }
            }
        }

        rows.Add(new SelfCheckRow("RowPairProduct (one stream's two products)", Isa.Active, "gates 1, 3, 4; units, columns 1..33; both panel orders", worst, Allowed));
    }

    private static double Error(SeededValues random, int gates, int units, int columnsA, int columnsB, PanelOrder order)
    {
        int rows = gates * units;
        int width = Isa.FloatsPerVector;
        float[] wa = random.Array(rows * columnsA, -1f, 1f);
        float[] wb = random.Array(rows * columnsB, -1f, 1f);
        float[] xa = random.Array(columnsA, -1f, 1f);
        float[] xb = random.Array(columnsB, -1f, 1f);
        double[] expected = new double[rows];
        double scale = 0;
        for (int row = 0; row < rows; row++)
        {
            double sum = 0, magnitude = 0;
            for (int k = 0; k < columnsA; k++)
            {
                double term = (double)wa[(row * columnsA) + k] * xa[k];
                sum += term;
                magnitude += Math.Abs(term);
            }

            for (int k = 0; k < columnsB; k++)
            {
                double term = (double)wb[(row * columnsB) + k] * xb[k];
                sum += term;
                magnitude += Math.Abs(term);
            }

            expected[row] = sum;
            scale = Math.Max(scale, magnitude);
        }

        PackedMatrix a = PackedMatrix.Pack(wa, gates, units, columnsA);
        PackedMatrix b = PackedMatrix.Pack(wb, gates, units, columnsB);
        float[] y = random.Array(a.PaddedRows, -1f, 1f); // written, not added to
        RowPairProduct.MultiplyPanels(a, b, 0, a.Panels, xa, xb, y, order);
        float[] actual = new float[rows];
        for (int g = 0; g < gates; g++)
        {
            for (int u = 0; u < units; u++)
            {
                actual[(g * units) + u] = y[PackedLayout.Index(gates, width, g, u)];
            }
        }

        return ErrorMeasure.RelativeToTerms(actual, expected, scale);
    }
}

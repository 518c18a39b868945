using System;
using System.Collections.Generic;
using FastRnn.Kernels;

namespace FastRnn.Diagnostics;

/// <summary>
/// TransposedProduct (C[m, :] += Σ_k A[k, columns[m]] · B[k, :], the weight-gradient product) for
/// output widths on both sides of every vector width and row counts past the kernel's chunk; errors
/// relative to the summed magnitudes of the terms, as for PackedMatMul.
/// </summary>
internal static class TransposedProductCheck
{
    private const double Allowed = 1e-5;
    private static readonly int[] Widths = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 65];
    private static readonly int[] OutputRows = [1, 3, 4, 5, 9];
    private static readonly int[] Depths = [1, 7, 300];

    public static void Run(List<SelfCheckRow> rows)
    {
        var random = new SeededValues(23);
        double worst = 0;
        foreach (int n in Widths)
        {
            foreach (int m in OutputRows)
            {
                foreach (int k in Depths)
                {
                    worst = ErrorMeasure.Worst(worst, Error(random, m, n, k));
                }
            }
        }

        rows.Add(new SelfCheckRow("TransposedProduct", Isa.Active, "n 1..65, m 1..9, k 1..300", worst, Allowed));
    }

    private static double Error(SeededValues random, int m, int n, int k)
    {
        int lda = m + 3, ldb = n + 1, ldc = n + 2;
        float[] a = random.Array(k * lda, -1f, 1f);
        float[] b = random.Array(k * ldb, -1f, 1f);
        float[] c = random.Array(m * ldc, -1f, 1f);
        int[] columns = new int[m];
        for (int i = 0; i < m; i++)
        {
            columns[i] = lda - 1 - i; // distinct, descending: the map is really used
        }

        double[] expected = new double[m * n];
        double scale = 0;
        for (int row = 0; row < m; row++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = c[(row * ldc) + j];
                double magnitude = Math.Abs(sum);
                for (int kk = 0; kk < k; kk++)
                {
                    double term = (double)a[(kk * lda) + columns[row]] * b[(kk * ldb) + j];
                    sum += term;
                    magnitude += Math.Abs(term);
                }

                expected[(row * n) + j] = sum;
                scale = Math.Max(scale, magnitude);
            }
        }

        TransposedProduct.Accumulate(a, lda, columns, b, ldb, n, k, c, ldc);
        float[] actual = new float[m * n];
        for (int row = 0; row < m; row++)
        {
            Array.Copy(c, row * ldc, actual, row * n, n);
        }

        return ErrorMeasure.RelativeToTerms(actual, expected, scale);
    }
}

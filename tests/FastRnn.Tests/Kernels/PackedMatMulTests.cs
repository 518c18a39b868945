using System;
using FastRnn.Kernels;
using FsCheck.Xunit;
using Xunit;

namespace FastRnn.Tests.Kernels;

/// <summary>The packed products against a double-precision product, on every path this CPU has.</summary>
public sealed class PackedMatMulTests
{
    [Property(MaxTest = 150)]
    public bool ProductMatchesNaiveDoubleProduct(int unitsPick, int columnsPick, int gatesPick, int batchPick, int seed)
    {
        int units = TestSizes.Pick(unitsPick, minimum: 1);
        int columns = TestSizes.Pick(columnsPick, minimum: 1);
        int gates = new[] { 1, 2, 3, 4 }[(int)((uint)gatesPick % 4)];
        int batch = 1 + (int)((uint)batchPick % 9);
        var random = new Random(seed);
        int rows = gates * units;
        float[] w = RandomArray(random, rows * columns);
        float[] x = RandomArray(random, batch * columns);
        float[] yInitial = RandomArray(random, batch * rows);

        foreach (SimdPath path in SimdPaths.Available())
        {
            PackedMatrix packed = PackedMatrix.Pack(w, gates, units, columns, Isa.WidthOf(path));
            int stride = packed.PaddedRows;
            float[] y = new float[batch * stride];
            for (int b = 0; b < batch; b++)
            {
                packed.ToPackedOrder(yInitial.AsSpan(b * rows, rows), y.AsSpan(b * stride, stride));
            }

            SimdPaths.MatMul(path, packed, x, columns, batch, y, stride);
            for (int b = 0; b < batch; b++)
            {
                for (int r = 0; r < rows; r++)
                {
                    double expected = yInitial[(b * rows) + r];
                    double magnitude = Math.Abs(expected);
                    for (int k = 0; k < columns; k++)
                    {
                        double term = (double)w[(r * columns) + k] * x[(b * columns) + k];
                        expected += term;
                        magnitude += Math.Abs(term);
                    }

                    // Sequential float summation: each of the columns + 1 roundings is at most
                    // half an ulp of a partial sum bounded by the sum of magnitudes, or half the
                    // subnormal spacing (products of tiny values are subnormal).
                    double bound = (columns + 1) * ((6e-8 * magnitude) + 1e-45);
                    double actual = y[(b * stride) + packed.PackedRowOf(r)];
                    if (!(Math.Abs(actual - expected) <= bound))
                    {
                        return false;
                    }
                }

                for (int p = 0; p < stride; p++)
                {
                    if (IsPadding(packed, p) && y[(b * stride) + p] != 0f)
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }

    [Fact]
    public void RowResultIsIdenticalAloneOrInABatch()
    {
        var random = new Random(7);
        const int units = 37, columns = 29, gates = 4, batch = 7;
        float[] w = RandomArray(random, gates * units * columns);
        float[] x = RandomArray(random, batch * columns);
        PackedMatrix packed = PackedMatrix.Pack(w, gates, units, columns);
        int stride = packed.PaddedRows;
        float[] together = new float[batch * stride];
        PackedMatMul.MultiplyAdd(packed, x, columns, batch, together, stride);
        for (int b = 0; b < batch; b++)
        {
            float[] alone = new float[stride];
            PackedMatMul.MultiplyAdd(packed, x.AsSpan(b * columns, columns), columns, 1, alone, stride);
            Assert.Equal(alone, together.AsSpan(b * stride, stride).ToArray());
        }
    }

    [Fact]
    public void PackedOrderIsAPermutationOfRows()
    {
        foreach (SimdPath path in SimdPaths.Available())
        {
            foreach (int gates in new[] { 1, 2, 3, 4 })
            {
                foreach (int units in new[] { 1, 5, 16, 17, 33, 65, 129 })
                {
                    PackedMatrix packed = PackedMatrix.Pack(new float[gates * units * 3], gates, units, 3, Isa.WidthOf(path));
                    var seen = new bool[packed.PaddedRows];
                    for (int r = 0; r < packed.Rows; r++)
                    {
                        int p = packed.PackedRowOf(r);
                        Assert.False(seen[p], $"row {r} collides at {p}");
                        seen[p] = true;
                        if (gates == 1)
                        {
                            Assert.Equal(r, p);
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void WrongShapesAreRejectedWithTheExpectedShape()
    {
        PackedMatrix packed = PackedMatrix.Pack(new float[4 * 8 * 5], 4, 8, 5);
        var ex = Assert.Throws<ArgumentException>(() => PackedMatMul.MultiplyAdd(packed, new float[4], 5, 1, new float[packed.PaddedRows], packed.PaddedRows));
        Assert.Contains("[1, 5]", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => PackedMatrix.Pack(new float[10], 4, 8, 5));
        Assert.Contains("[32, 5]", ex.Message, StringComparison.Ordinal);
    }

    private static bool IsPadding(PackedMatrix packed, int position)
    {
        for (int r = 0; r < packed.Rows; r++)
        {
            if (packed.PackedRowOf(r) == position)
            {
                return false;
            }
        }

        return true;
    }

    private static float[] RandomArray(Random random, int length)
    {
        float[] a = new float[length];
        for (int i = 0; i < length; i++)
        {
            a[i] = TestSizes.Value(random, allowHuge: false);
        }

        return a;
    }
}

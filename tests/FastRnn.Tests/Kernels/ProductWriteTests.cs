using System;
using FastRnn.Kernels;
using FsCheck.Xunit;
using Xunit;

namespace FastRnn.Tests.Kernels;

/// <summary>
/// y = W x (<see cref="PackedMatMul.Multiply"/>) writes exactly what clearing y and accumulating gives,
/// bit for bit, whatever y held before: for every weight format, on every path this CPU has, and for
/// panel ranges (the threaded input projection).
/// </summary>
public sealed class ProductWriteTests
{
    [Property(MaxTest = 120)]
    public bool WritingEqualsClearingThenAccumulating(int unitsPick, int columnsPick, int gatesPick, int batchPick, int formatPick, int seed)
    {
        int units = TestSizes.Pick(unitsPick, minimum: 1);
        int columns = TestSizes.Pick(columnsPick, minimum: 1);
        int gates = new[] { 1, 2, 3, 4 }[(int)((uint)gatesPick % 4)];
        int batch = 1 + (int)((uint)batchPick % 9);
        WeightFormat format = (WeightFormat)((uint)formatPick % 3);
        var random = new Random(seed);
        float[] w = RandomValues(random, gates * units * columns);
        float[] x = RandomValues(random, batch * columns);
        foreach (SimdPath path in SimdPaths.Available())
        {
            PackedMatrix packed = PackedMatrix.Pack(w, gates, units, columns, Isa.WidthOf(path), format);
            int stride = packed.PaddedRows + 3; // columns past the product's rows must be left alone
            float[] accumulated = new float[batch * stride];
            float[] written = new float[batch * stride];
            for (int i = 0; i < written.Length; i++)
            {
                written[i] = accumulated[i] = float.NaN; // garbage the write must replace
            }

            for (int b = 0; b < batch; b++)
            {
                accumulated.AsSpan(b * stride, packed.PaddedRows).Clear();
            }

            SimdPaths.MatMul(path, packed, x, columns, batch, accumulated, stride);
            SimdPaths.MatMul(path, packed, x, columns, batch, written, stride, overwrite: true);
            if (!BitwiseEqual(accumulated, written))
            {
                return false;
            }
        }

        return true;
    }

    [Theory]
    [InlineData(WeightFormat.Float32)]
    [InlineData(WeightFormat.BFloat16)]
    [InlineData(WeightFormat.Int8)]
    public void PanelRangesWriteOnlyTheirColumnsAndTogetherTheWholeProduct(WeightFormat format)
    {
        var random = new Random(11);
        const int gates = 4, units = 70, columns = 37, batch = 5;
        float[] w = RandomValues(random, gates * units * columns);
        float[] x = RandomValues(random, batch * columns);
        PackedMatrix packed = PackedMatrix.Pack(w, gates, units, columns, format);
        int stride = packed.PaddedRows;
        float[] whole = new float[batch * stride];
        PackedMatMul.MultiplyAdd(packed, x, columns, batch, whole, stride);

        float[] parts = new float[batch * stride];
        Array.Fill(parts, float.NaN);
        int middle = packed.Panels / 2;
        PackedMatMul.MultiplyPanels(packed, 0, middle, x, columns, batch, parts, stride);
        int firstColumn = middle * packed.PanelVectors * packed.Width;
        for (int b = 0; b < batch; b++)
        {
            Assert.True(float.IsNaN(parts[(b * stride) + firstColumn]), "a panel range wrote past its columns");
        }

        PackedMatMul.MultiplyPanels(packed, middle, packed.Panels, x, columns, batch, parts, stride);
        Assert.True(BitwiseEqual(whole, parts));
    }

    private static bool BitwiseEqual(float[] a, float[] b)
    {
        for (int i = 0; i < a.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(a[i]) != BitConverter.SingleToInt32Bits(b[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static float[] RandomValues(Random random, int n)
    {
        float[] values = new float[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = (random.Next(8) == 0) ? 0f : (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }
}

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
            SimdPaths.MatMul(path, packed, x, columns, batch, written, stride, ProductWrite.Overwrite);
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
        PackedMatMul.MultiplyPanels(packed, 0, middle, x, columns, batch, parts, stride, PanelOrder.Ascending);
        int firstColumn = middle * packed.PanelVectors * packed.Width;
        for (int b = 0; b < batch; b++)
        {
            Assert.True(float.IsNaN(parts[(b * stride) + firstColumn]), "a panel range wrote past its columns");
        }

        PackedMatMul.MultiplyPanels(packed, middle, packed.Panels, x, columns, batch, parts, stride, PanelOrder.Descending);
        Assert.True(BitwiseEqual(whole, parts));
    }

    [Fact]
    public void StreamedWritesEqualClearingThenAccumulatingOnEveryPath()
    {
        // Large enough that Multiply streams it (non-temporal stores) on the active path, and written
        // with streaming stores on every path directly: the values must not change.
        var random = new Random(5);
        const int gates = 4, units = 256, columns = 3, batch = 4200; // 4200 x 1024 floats = 16.4 MiB
        float[] w = RandomValues(random, gates * units * columns);
        float[] x = RandomValues(random, batch * columns);
        foreach (SimdPath path in SimdPaths.Available())
        {
            PackedMatrix packed = PackedMatrix.Pack(w, gates, units, columns, Isa.WidthOf(path), WeightFormat.Float32);
            int stride = packed.PaddedRows;
            var expected = new float[batch * stride];
            SimdPaths.MatMul(path, packed, x, columns, batch, expected, stride);
            var streamed = new FastRnn.Memory.AlignedBuffer(batch * stride);
            streamed.Span.Fill(float.NaN);
            SimdPaths.MatMul(path, packed, x, columns, batch, streamed.Span, stride, ProductWrite.Stream);
            Assert.True(BitwiseEqual(expected, streamed.Span.ToArray()), $"streamed product differs on {path}");
        }

        PackedMatrix active = PackedMatrix.Pack(w, gates, units, columns, WeightFormat.Float32);
        var viaEntryPoint = new FastRnn.Memory.AlignedBuffer(batch * active.PaddedRows);
        viaEntryPoint.Span.Fill(float.NaN);
        PackedMatMul.Multiply(active, x, columns, batch, viaEntryPoint.Span, active.PaddedRows);
        var reference = new float[batch * active.PaddedRows];
        PackedMatMul.MultiplyAdd(active, x, columns, batch, reference, active.PaddedRows);
        Assert.True(BitwiseEqual(reference, viaEntryPoint.Span.ToArray()));
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

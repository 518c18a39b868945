using System;
using FastRnn.Kernels;
using Xunit;

namespace FastRnn.Tests.Kernels;

/// <summary>
/// A weight row whose largest magnitude is tiny (below about 3.7e-37, so its scale max |w| / 127 is
/// below 2^-128 and 1 / scale overflows float32) still quantizes to the nearest multiple of its scale,
/// not to ±127 for every non-zero weight.
/// </summary>
public sealed class Int8TinyWeightRowTests
{
    [Theory]
    [InlineData(1e-37f, 1e-39f, -5e-38f, 0f)]     // normal weights, a subnormal scale whose inverse overflows
    [InlineData(1e-40f, 3e-41f, -5e-41f, -0f)]    // subnormal weights
    [InlineData(1e-36f, 1e-38f, -5e-37f, 2e-37f)] // a subnormal scale whose inverse is finite
    public void EveryWeightIsWithinHalfAStepOfItsQuantizedValue(float a, float b, float c, float d)
    {
        float[] w = [a, b, c, d];
        foreach (SimdPath path in SimdPaths.Available())
        {
            PackedMatrix packed = PackedMatrix.Pack(w, 1, 1, w.Length, Isa.WidthOf(path), WeightFormat.Int8);
            float scale = packed.Scales[packed.PackedRowOf(0)];
            float[] row = new float[w.Length];
            packed.ReadRow(0, row);
            for (int i = 0; i < w.Length; i++)
            {
                // q · s is the nearest multiple of s (half a step), then rounded to a float (subnormal: 2^-150).
                Assert.True(Math.Abs((double)row[i] - w[i]) <= (0.5 * scale) + 7.1e-46, $"{path}: weight {w[i]:R} is stored as {row[i]:R} (scale {scale:R})");
            }

            // The product the kernels compute from these weights (every row takes the float path here).
            float[] x = [1f, 1f, 1f, 1f];
            float[] y = new float[packed.PaddedRows];
            SimdPaths.MatMul(path, packed, x, w.Length, 1, y, packed.PaddedRows);
            double exact = (double)a + b + c + d;
            Assert.True(Math.Abs(y[packed.PackedRowOf(0)] - exact) <= (2.0 * scale) + 3e-45, $"{path}: W · 1 = {y[packed.PackedRowOf(0)]:R}, expected about {exact:R}");
        }
    }
}

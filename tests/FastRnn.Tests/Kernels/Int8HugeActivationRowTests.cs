using System;
using FastRnn.Kernels;
using Xunit;

namespace FastRnn.Tests.Kernels;

/// <summary>
/// A finite activation row too large for an int8 matrix's scales takes the float path, which must
/// compute what float32 computes with the quantized weights (q · s) · x: summing q · x first and
/// scaling after overflows to infinity where (q · s) · x is an ordinary float.
/// </summary>
public sealed class Int8HugeActivationRowTests
{
    [Theory]
    [InlineData(3e38f, 0f)]      // 1e-3 · 3e38 = 3e35, but 127 · 3e38 overflows
    [InlineData(3e38f, -3e38f)]  // 1e-3 · 3e38 − 1e-3 · 3e38 = 0
    [InlineData(-2e38f, 1e38f)]
    public void AHugeRowIsComputedAsFloat32WithTheQuantizedWeights(float x0, float x1)
    {
        // Row 0's scale (1e7 / 127) times the row's (3e38 / 32767) overflows: the row is not quantized.
        float[] w = [1e7f, 0f, 1e-3f, 1e-3f];
        float[] x = [x0, x1];
        foreach (SimdPath path in SimdPaths.Available())
        {
            PackedMatrix packed = PackedMatrix.Pack(w, 1, 2, 2, Isa.WidthOf(path), WeightFormat.Int8);
            float[] y = new float[packed.PaddedRows];
            SimdPaths.MatMul(path, packed, x, 2, 1, y, packed.PaddedRows);
            float[] row = new float[2];
            packed.ReadRow(1, row);
            float expected = MathF.FusedMultiplyAdd(row[1], x1, row[0] * x0); // either rounding of the two terms is within the bound below
            float actual = y[packed.PackedRowOf(1)];
            Assert.True(Math.Abs(actual - expected) <= (Math.Abs(row[0] * x0) + Math.Abs(row[1] * x1)) * 1e-6, $"{path}: ({row[0]:R}, {row[1]:R}) · ({x0:R}, {x1:R}) = {actual:R}, expected {expected:R}");
        }
    }
}

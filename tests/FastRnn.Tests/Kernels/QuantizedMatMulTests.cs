using System;
using FastRnn.Kernels;
using FsCheck.Xunit;
using Xunit;

namespace FastRnn.Tests.Kernels;

/// <summary>bfloat16 and int8 packed products against a double product of the dequantized weights, on every path.</summary>
public sealed class QuantizedMatMulTests
{
    [Property(MaxTest = 80)]
    public bool QuantizedProductsEqualTheProductOfTheirDequantizedWeights(int unitsPick, int columnsPick, int gatesPick, int batchPick, int seed, bool useInt8)
    {
        WeightFormat format = useInt8 ? WeightFormat.Int8 : WeightFormat.BFloat16;
        int units = TestSizes.Pick(unitsPick, minimum: 1);
        int columns = TestSizes.Pick(columnsPick, minimum: 1);
        int gates = new[] { 1, 2, 3, 4 }[(int)((uint)gatesPick % 4)];
        int batch = 1 + (int)((uint)batchPick % 6);
        var random = new Random(seed);
        int rows = gates * units;
        float[] w = new float[rows * columns];
        float[] x = new float[batch * columns];
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = (float)((random.NextDouble() * 2) - 1);
        }

        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)((random.NextDouble() * 2) - 1);
        }

        foreach (SimdPath path in SimdPaths.Available())
        {
            PackedMatrix packed = PackedMatrix.Pack(w, gates, units, columns, Isa.WidthOf(path), format);
            float[] row = new float[columns];
            int stride = packed.PaddedRows;
            float[] y = new float[batch * stride];
            SimdPaths.MatMul(path, packed, x, columns, batch, y, stride);
            for (int r = 0; r < rows; r++)
            {
                packed.ReadRow(r, row);
                for (int c = 0; c < columns; c++)
                {
                    // The stored weight is the original rounded to the format's precision.
                    double allowed = useInt8 ? (packed.Scales[packed.PackedRowOf(r)] * 0.5) + 1e-7 : Math.Abs(w[(r * columns) + c]) * (1.0 / 256) + 1e-30;
                    if (!(Math.Abs(row[c] - w[(r * columns) + c]) <= allowed))
                    {
                        return false;
                    }
                }

                for (int b = 0; b < batch; b++)
                {
                    double expected = 0, magnitude = 0;
                    for (int c = 0; c < columns; c++)
                    {
                        double term = (double)row[c] * x[(b * columns) + c];
                        expected += term;
                        magnitude += Math.Abs(term);
                    }

                    if (!(Math.Abs(y[(b * stride) + packed.PackedRowOf(r)] - expected) <= (columns + 2) * 6e-8 * magnitude + 1e-30))
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }

    [Fact]
    public void QuantizedMatricesStreamHalfAndAQuarterOfTheBytes()
    {
        float[] w = new float[4 * 64 * 64];
        long fp32 = PackedMatrix.Pack(w, 4, 64, 64, WeightFormat.Float32).WeightBytes;
        Assert.Equal(fp32 / 2, PackedMatrix.Pack(w, 4, 64, 64, WeightFormat.BFloat16).WeightBytes);
        Assert.Equal(fp32 / 4, PackedMatrix.Pack(w, 4, 64, 64, WeightFormat.Int8).WeightBytes);
    }

    [Fact]
    public void BFloat16RoundsToNearestEven()
    {
        Assert.Equal(0x3F80, PackedMatrix.ToBFloat16(1f));
        Assert.Equal(0x3F80, PackedMatrix.ToBFloat16(BitConverter.Int32BitsToSingle(0x3F808000))); // tie → even
        Assert.Equal(0x3F82, PackedMatrix.ToBFloat16(BitConverter.Int32BitsToSingle(0x3F818000))); // tie → even (up)
        Assert.Equal(0x3F81, PackedMatrix.ToBFloat16(BitConverter.Int32BitsToSingle(0x3F808001)));
    }
}

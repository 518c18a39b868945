using System;
using System.Collections.Generic;
using System.Globalization;
using FastRnn.Kernels;

namespace FastRnn.Diagnostics;

/// <summary>
/// PackedMatMul (Y += W·X on packed weights) for 1 to 4 gates, every batch size 1..5 and unit and
/// column counts on both sides of every vector width, plus one input projection longer than the
/// kernel's row chunk, against a double-precision product in natural row order, walking the panels
/// first to last for odd batches and last to first for even ones; then the same on bfloat16 weights
/// (the float kernel with a widening load), against the product of the weights rounded to bfloat16
/// (nearest, ties to even) here. Errors are relative
/// to the summed magnitudes of the terms: a sum that cancels to near zero must not fail a path
/// without fused multiply-add.
/// </summary>
internal static class MatMulCheck
{
    private const double Allowed = 1e-5;
    internal static readonly int[] Sizes = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33]; // on both sides of every vector width

    public static void Run(List<SelfCheckRow> rows)
    {
        SimdPath path = Isa.Active;
        var random = new SeededValues(9);
        for (int gates = 1; gates <= 4; gates++)
        {
            double worst = 0;
            foreach (int units in Sizes)
            {
                foreach (int columns in Sizes)
                {
                    for (int batch = 1; batch <= 5; batch++)
                    {
                        worst = ErrorMeasure.Worst(worst, Error(random, gates, units, columns, batch));
                    }
                }
            }

            rows.Add(new SelfCheckRow(string.Create(CultureInfo.InvariantCulture, $"PackedMatMul gates={gates}"), path, "units, columns 1..33; batch 1..5; both panel orders", worst, Allowed));
        }

        rows.Add(new SelfCheckRow("PackedMatMul input projection", path, "gates 4, units 17, columns 33, rows 130", Error(random, 4, 17, 33, 130), Allowed));
        for (int gates = 1; gates <= 4; gates++)
        {
            double worst = 0;
            foreach (int units in Sizes)
            {
                foreach (int columns in Sizes)
                {
                    for (int batch = 1; batch <= 5; batch++)
                    {
                        worst = ErrorMeasure.Worst(worst, Error(random, gates, units, columns, batch, WeightFormat.BFloat16));
                    }
                }
            }

            rows.Add(new SelfCheckRow(string.Create(CultureInfo.InvariantCulture, $"PackedMatMul bf16 gates={gates}"), path, "units, columns 1..33; batch 1..5; both panel orders", worst, Allowed));
        }
    }

    private static double Error(SeededValues random, int gates, int units, int columns, int batch, WeightFormat format = WeightFormat.Float32)
    {
        int rows = gates * units;
        int width = Isa.FloatsPerVector;
        float[] w = random.Array(rows * columns, -1f, 1f);
        int xStride = columns + 1;
        float[] x = random.Array(batch * xStride, -1f, 1f);
        int yStride = (gates * PackedLayout.PaddedUnits(units, width)) + width;
        float[] y = random.Array(batch * yStride, -1f, 1f);
        double[] expected = new double[batch * rows];
        double scale = 0;
        for (int b = 0; b < batch; b++)
        {
            for (int g = 0; g < gates; g++)
            {
                for (int u = 0; u < units; u++)
                {
                    int row = (g * units) + u;
                    double sum = y[(b * yStride) + PackedLayout.Index(gates, width, g, u)];
                    double magnitude = Math.Abs(sum);
                    for (int k = 0; k < columns; k++)
                    {
                        double term = (double)Stored(w[(row * columns) + k], format) * x[(b * xStride) + k];
                        sum += term;
                        magnitude += Math.Abs(term);
                    }

                    expected[(b * rows) + row] = sum;
                    scale = Math.Max(scale, magnitude);
                }
            }
        }

        PackedMatrix packed = PackedMatrix.Pack(w, gates, units, columns, format);
        PanelOrder order = batch % 2 == 0 ? PanelOrder.Descending : PanelOrder.Ascending;
        PackedMatMul.MultiplyAddPanels(packed, 0, packed.Panels, x, xStride, batch, y, yStride, order);
        float[] actual = new float[batch * rows];
        for (int b = 0; b < batch; b++)
        {
            for (int g = 0; g < gates; g++)
            {
                for (int u = 0; u < units; u++)
                {
                    actual[(b * rows) + (g * units) + u] = y[(b * yStride) + PackedLayout.Index(gates, width, g, u)];
                }
            }
        }

        return ErrorMeasure.RelativeToTerms(actual, expected, scale);
    }

    // A weight as the format stores it: bfloat16 is the float's top 16 bits rounded to nearest, ties to
    // even (written here from that description, not taken from the packing code); float32 as it is.
    private static float Stored(float weight, WeightFormat format)
    {
        if (format != WeightFormat.BFloat16)
        {
            return weight;
        }

        uint bits = BitConverter.SingleToUInt32Bits(weight);
        uint kept = bits >> 16, dropped = bits & 0xFFFFu;
        if (dropped > 0x8000u || (dropped == 0x8000u && (kept & 1u) == 1u))
        {
            kept++;
        }

        return BitConverter.UInt32BitsToSingle(kept << 16);
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using FastRnn.Kernels;

namespace FastRnn.Diagnostics;

/// <summary>
/// PackedMatMul on int8 weights (the integer kernel) on the active path, against the quantized math
/// evaluated here in double from its description: weights per row s_w = max|w| / 127,
/// q_w = round(w · (1 / s_w)); activations per batch row s_x = max|x| / 32767,
/// q_x = round(x · (32767 / max|x|)); exact integer sums over chunks of 256 columns, each times
/// s_w · s_x. Covers 1 to 4 gates, batch 1..5, sizes on both sides of every vector width and rows
/// longer than a chunk; a row computed alone must give the same bits as in its batch; and a row
/// holding NaN or ±Inf takes the float path, so NaN stays NaN, a lone infinity gives the signed
/// infinity of its weight and a zero weight gives 0 · ∞ = NaN.
/// </summary>
internal static class Int8MatMulCheck
{
    // Each chunk costs the kernel a conversion, two multiplies and an add (relative 6e-8 each) of the
    // terms' magnitudes: 2e-6 leaves room for the 3 chunks of the longest rows here.
    private const double Allowed = 2e-6;
    private const int Chunk = 256;
    private static readonly int[] Sizes = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33];
    private static readonly int[] LongColumns = [255, 256, 257, 513];

    public static void Run(List<SelfCheckRow> rows)
    {
        SimdPath path = Isa.Active;
        var random = new SeededValues(13);
        for (int gates = 1; gates <= 4; gates++)
        {
            double worst = 0;
            foreach (int units in Sizes)
            {
                foreach (int columns in Sizes)
                {
                    var problem = new Problem(random, gates, units, columns, 5);
                    for (int batch = 1; batch <= 5; batch++)
                    {
                        worst = ErrorMeasure.Worst(worst, problem.Error(batch));
                    }
                }
            }

            rows.Add(new SelfCheckRow(string.Create(CultureInfo.InvariantCulture, $"PackedMatMul int8 gates={gates}"), path, "units, columns 1..33; batch 1..5", worst, Allowed));
        }

        double longest = 0;
        foreach (int columns in LongColumns)
        {
            var problem = new Problem(random, 4, 17, columns, 3);
            for (int batch = 1; batch <= 3; batch++)
            {
                longest = ErrorMeasure.Worst(longest, problem.Error(batch));
            }
        }

        rows.Add(new SelfCheckRow("PackedMatMul int8 past one chunk", path, "gates 4, units 17, columns 255..513; batch 1..3", longest, Allowed));
        rows.Add(new SelfCheckRow("PackedMatMul int8 row alone = in batch", path, "gates 4, units 17, columns 257, batch 5 (bits)", AloneEqualsBatch(random) ? 0 : double.PositiveInfinity, 0));
        rows.Add(new SelfCheckRow("PackedMatMul int8 NaN/±Inf rows", path, "gates 3, units 9, columns 20, batch 4", NonFiniteRows(random), Allowed));
    }

    private static bool AloneEqualsBatch(SeededValues random)
    {
        var problem = new Problem(random, 4, 17, 257, 5);
        float[] together = problem.Run(problem.Batch);
        for (int b = 0; b < problem.Batch; b++)
        {
            float[] alone = problem.RunRow(b);
            for (int i = 0; i < alone.Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(alone[i]) != BitConverter.SingleToInt32Bits(together[(b * problem.YStride) + i]))
                {
                    return false;
                }
            }
        }

        return true;
    }

    // Rows 0 and 3 are finite (checked against the quantized math); row 1 holds a NaN, row 2 a +Inf in
    // a column where some weights are zero. Any output not as IEEE says counts as an infinite error.
    private static double NonFiniteRows(SeededValues random)
    {
        const int gates = 3, units = 9, columns = 20, batch = 4, nanColumn = 3, infColumn = 5;
        var problem = new Problem(random, gates, units, columns, batch);
        for (int r = 0; r < problem.Rows; r += 2)
        {
            problem.SetWeight(r, infColumn, 0f);
        }

        problem.SetInput(1, nanColumn, float.NaN);
        problem.SetInput(2, infColumn, float.PositiveInfinity);
        float[] y = problem.Run(batch);
        double worst = 0;
        foreach (int b in new[] { 0, 3 })
        {
            worst = ErrorMeasure.Worst(worst, problem.RowError(b, y));
        }

        for (int r = 0; r < problem.Rows; r++)
        {
            float nan = problem.Output(y, 1, r);
            float inf = problem.Output(y, 2, r);
            sbyte q = problem.QuantizedWeight(r, infColumn);
            float expected = q == 0 ? float.NaN : q > 0 ? float.PositiveInfinity : float.NegativeInfinity;
            bool infRight = float.IsNaN(expected) ? float.IsNaN(inf) : inf == expected;
            if (!float.IsNaN(nan) || !infRight)
            {
                return double.PositiveInfinity;
            }
        }

        return worst;
    }

    /// <summary>
    /// One product Y₀ + W · X with W [gates · units, columns] and X [batch, columns] (row stride
    /// columns + 1); smaller batches use the first rows, so one packed matrix serves every batch size.
    /// </summary>
    private sealed class Problem
    {
        private readonly int gates, units, columns, xStride, width;
        private readonly float[] w, x, y0;
        private sbyte[]? quantized;  // [Rows, columns] q_w, made once the weights are final
        private PackedMatrix? packed; // the kernel's matrix, likewise
        private float[]? rowScales;  // [Rows] s_w

        public Problem(SeededValues random, int gates, int units, int columns, int batch)
        {
            this.gates = gates;
            this.units = units;
            this.columns = columns;
            Batch = batch;
            width = Isa.FloatsPerVector;
            Rows = gates * units;
            xStride = columns + 1;
            YStride = (gates * PackedLayout.PaddedUnits(units, width)) + width;
            w = random.Array(Rows * columns, -1f, 1f);
            x = random.Array(batch * xStride, -1f, 1f);
            y0 = random.Array(batch * YStride, -1f, 1f);
            for (int b = 0; b < batch; b++)
            {
                x[(b * xStride) + columns] = float.NaN; // between rows: must never be read
            }
        }

        public int Batch { get; }

        public int Rows { get; }

        public int YStride { get; }

        public void SetWeight(int row, int column, float value)
        {
            w[(row * columns) + column] = value;
            quantized = null;
            packed = null;
        }

        public void SetInput(int b, int column, float value) => x[(b * xStride) + column] = value;

        private PackedMatrix Packed => packed ??= PackedMatrix.Pack(w, gates, units, columns, WeightFormat.Int8);

        /// <summary>Y [batch, YStride] after the product of the first <paramref name="batch"/> rows.</summary>
        public float[] Run(int batch)
        {
            float[] y = y0.AsSpan(0, batch * YStride).ToArray();
            PackedMatMul.MultiplyAdd(Packed, x, xStride, batch, y, YStride);
            return y;
        }

        /// <summary>Row b of Y computed alone.</summary>
        public float[] RunRow(int b)
        {
            float[] y = y0.AsSpan(b * YStride, YStride).ToArray();
            PackedMatMul.MultiplyAdd(Packed, x.AsSpan(b * xStride, columns), xStride, 1, y, YStride);
            return y;
        }

        public float Output(float[] y, int b, int row) => y[(b * YStride) + Position(row)];

        public double Error(int batch)
        {
            float[] y = Run(batch);
            double worst = 0;
            for (int b = 0; b < batch; b++)
            {
                worst = ErrorMeasure.Worst(worst, RowError(b, y));
            }

            return worst;
        }

        /// <summary>The error of batch row b of <paramref name="y"/> against the quantized math, relative to its terms.</summary>
        public double RowError(int b, float[] y)
        {
            (short[] qx, float sx) = QuantizeActivations(b);
            double[] expected = new double[Rows];
            float[] actual = new float[Rows];
            double scale = 0;
            QuantizeWeights();
            for (int r = 0; r < Rows; r++)
            {
                float sw = rowScales![r];
                double sum = y0[(b * YStride) + Position(r)];
                double magnitude = Math.Abs(sum);
                for (int c0 = 0; c0 < columns; c0 += Chunk)
                {
                    long dot = 0;
                    for (int c = c0; c < Math.Min(columns, c0 + Chunk); c++)
                    {
                        dot += quantized![(r * columns) + c] * (long)qx[c];
                    }

                    double term = dot * (double)sw * sx;
                    sum += term;
                    magnitude += Math.Abs(term);
                }

                expected[r] = sum;
                actual[r] = Output(y, b, r);
                scale = Math.Max(scale, magnitude);
            }

            return ErrorMeasure.RelativeToTerms(actual, expected, scale);
        }

        public sbyte QuantizedWeight(int row, int column)
        {
            QuantizeWeights();
            return quantized![(row * columns) + column];
        }

        private void QuantizeWeights()
        {
            if (quantized is not null)
            {
                return;
            }

            quantized = new sbyte[Rows * columns];
            rowScales = new float[Rows];
            for (int r = 0; r < Rows; r++)
            {
                float max = 0f;
                for (int c = 0; c < columns; c++)
                {
                    max = MathF.Max(max, MathF.Abs(w[(r * columns) + c]));
                }

                float scale = max / 127f;
                float inverse = scale > 0f ? 1f / scale : 0f;
                rowScales[r] = scale;
                for (int c = 0; c < columns; c++)
                {
                    quantized[(r * columns) + c] = (sbyte)Math.Clamp(MathF.Round(w[(r * columns) + c] * inverse, MidpointRounding.ToEven), -127f, 127f);
                }
            }
        }

        private (short[] Q, float Scale) QuantizeActivations(int b)
        {
            float max = 0f;
            for (int c = 0; c < columns; c++)
            {
                max = MathF.Max(max, MathF.Abs(x[(b * xStride) + c]));
            }

            float inverse = max > 0f ? 32767f / max : 0f;
            short[] q = new short[columns];
            for (int c = 0; c < columns; c++)
            {
                q[c] = (short)Math.Clamp(MathF.Round(x[(b * xStride) + c] * inverse, MidpointRounding.ToEven), -32767f, 32767f);
            }

            return (q, max / 32767f);
        }

        private int Position(int row) => PackedLayout.Index(gates, width, row / units, row % units);
    }
}

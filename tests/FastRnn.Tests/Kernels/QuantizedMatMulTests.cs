using System;
using System.Collections.Generic;
using FastRnn.Kernels;
using FsCheck.Xunit;
using Xunit;

namespace FastRnn.Tests.Kernels;

/// <summary>
/// bfloat16 products against a double product of the dequantized weights; the int8 integer kernel
/// against a double evaluation of the quantized math (written here from its documentation), bit for
/// bit across every path this CPU has, batch positions, row blocks, column slabs and panel ranges;
/// rows with NaN, ±Inf or tiny activations by the float path with IEEE results.
/// </summary>
public sealed class QuantizedMatMulTests
{
    // The int8 format as documented. Weights: per row s_w = max|w| / 127, q_w = round(w · (1 / s_w))
    // in [-127, 127]. Activations: per row s_x = max|x| / 32767, q_x = round(x · (32767 / max|x|))
    // in [-32767, 32767] (float operations, ties to even). Exact int32 sums over chunks of 256
    // columns, each added into y as sum · (s_w · s_x). A non-zero row is quantized only if it is
    // finite, s_x is a normal float, and s_x times every non-zero s_w of the matrix is normal (neither
    // subnormal nor infinite); any other row is computed in float from the int8 weights: (Σ q_w · x) · s_w.
    private const int Chunk = 256;
    private const float MinNormal = 1.17549435e-38f; // 2^-126

    // Units and columns on both sides of every vector width, odd ones, and (columns) both sides of the chunk.
    private static readonly int[] Units = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129];
    private static readonly int[] Columns = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 511, 513];

    [Property(MaxTest = 60)]
    public bool BFloat16ProductsEqualTheProductOfTheirDequantizedWeights(int unitsPick, int columnsPick, int gatesPick, int batchPick, int seed)
    {
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
            PackedMatrix packed = PackedMatrix.Pack(w, gates, units, columns, Isa.WidthOf(path), WeightFormat.BFloat16);
            float[] row = new float[columns];
            int stride = packed.PaddedRows;
            float[] y = new float[batch * stride];
            SimdPaths.MatMul(path, packed, x, columns, batch, y, stride);
            for (int r = 0; r < rows; r++)
            {
                packed.ReadRow(r, row);
                for (int c = 0; c < columns; c++)
                {
                    // The stored weight is the original rounded to bfloat16's 8 significant bits.
                    if (!(Math.Abs(row[c] - w[(r * columns) + c]) <= (Math.Abs(w[(r * columns) + c]) * (1.0 / 256)) + 1e-30))
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

                    if (!(Math.Abs(y[(b * stride) + packed.PackedRowOf(r)] - expected) <= ((columns + 2) * 6e-8 * magnitude) + 1e-30))
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }

    [Property(MaxTest = 120)]
    public bool Int8ProductEqualsTheQuantizedMathOnEveryPathBitForBit(int unitsPick, int columnsPick, int gatesPick, int batchPick, int seed)
    {
        int units = Units[(int)((uint)unitsPick % Units.Length)];
        int columns = Columns[(int)((uint)columnsPick % Columns.Length)];
        int gates = new[] { 1, 2, 3, 4 }[(int)((uint)gatesPick % 4)];
        int batch = 1 + (int)((uint)batchPick % 5);
        var random = new Random(seed);
        var problem = new Int8Problem(random, gates, units, columns, batch);
        string? failure = problem.CheckEveryPath();
        Assert.True(failure is null, $"gates {gates}, units {units}, columns {columns}, batch {batch}: {failure}");
        return true;
    }

    [Theory]
    [InlineData(1, 5, 600, 3)]      // three chunks, the last partial
    [InlineData(4, 9, 255, 130)]    // more rows than one quantized block holds (16384 / 256 = 64)
    [InlineData(3, 17, 1027, 7)]    // odd column count over five chunks
    [InlineData(1, 3, 20001, 2)]    // rows longer than the scratch: quantized in two slabs
    public void Int8LargeShapesEqualTheQuantizedMathOnEveryPath(int gates, int units, int columns, int batch)
    {
        var problem = new Int8Problem(new Random(columns), gates, units, columns, batch);
        string? failure = problem.CheckEveryPath();
        Assert.True(failure is null, $"gates {gates}, units {units}, columns {columns}, batch {batch}: {failure}");
        Assert.True(problem.QuantizedRows > 0, "no row took the integer path");
    }

    [Fact]
    public void Int8RowResultIsIdenticalAloneInAnyBatchBlockAndAnyPanelRange()
    {
        var random = new Random(11);
        foreach ((int gates, int units, int columns) in new[] { (4, 37, 29), (3, 33, 257), (1, 65, 300), (4, 17, 513) })
        {
            int rows = gates * units;
            float[] w = RandomWeights(random, rows * columns);
            const int batch = 5;
            float[] x = RandomActivations(random, batch, columns, columns);
            foreach (SimdPath path in SimdPaths.Available())
            {
                PackedMatrix packed = PackedMatrix.Pack(w, gates, units, columns, Isa.WidthOf(path), WeightFormat.Int8);
                int stride = packed.PaddedRows;
                float[] together = new float[batch * stride];
                SimdPaths.MatMul(path, packed, x, columns, batch, together, stride);
                for (int start = 0; start < batch; start++)
                {
                    for (int size = 1; start + size <= batch; size++)
                    {
                        float[] part = new float[size * stride];
                        SimdPaths.MatMul(path, packed, x.AsSpan(start * columns, size * columns), columns, size, part, stride);
                        AssertBitsEqual(together.AsSpan(start * stride, size * stride), part, $"{path} rows {start}..{start + size - 1} of [{rows}, {columns}]");
                    }
                }
            }

            // Panel ranges (how threads split a product) on the active path.
            PackedMatrix active = PackedMatrix.Pack(w, gates, units, columns, WeightFormat.Int8);
            float[] whole = new float[batch * active.PaddedRows];
            PackedMatMul.MultiplyAdd(active, x, columns, batch, whole, active.PaddedRows);
            float[] split = new float[batch * active.PaddedRows];
            int middle = active.Panels / 2;
            PackedMatMul.MultiplyAddPanels(active, middle, active.Panels, x, columns, batch, split, active.PaddedRows, PanelOrder.Descending);
            PackedMatMul.MultiplyAddPanels(active, 0, middle, x, columns, batch, split, active.PaddedRows, PanelOrder.Ascending);
            AssertBitsEqual(whole, split, $"panel ranges of [{rows}, {columns}]");
        }
    }

    [Fact]
    public void Int8RowsWithNaNOrInfinityTakeTheFloatPathAndLeaveTheOthersUnchanged()
    {
        var random = new Random(5);
        foreach ((int gates, int units, int columns) in new[] { (4, 9, 7), (3, 17, 33), (1, 40, 300) })
        {
            int rows = gates * units;
            float[] w = RandomWeights(random, rows * columns);
            for (int r = 0; r < rows; r += 3)
            {
                w[(r * columns) + 1 % columns] = 0f; // zero weights meet the infinities: 0 · ∞ = NaN
            }

            const int batch = 6;
            float[] x = RandomActivations(random, batch, columns, columns, ordinaryOnly: true);
            x[(1 * columns) + (columns / 2)] = float.NaN;
            x[(2 * columns) + (1 % columns)] = float.PositiveInfinity;
            x[(3 * columns) + (1 % columns)] = float.NegativeInfinity;
            x[(4 * columns) + 0] = float.PositiveInfinity;
            x[(4 * columns) + (columns - 1)] = float.NegativeInfinity;
            float[] y0 = RandomActivations(random, batch, rows, rows, ordinaryOnly: true);
            foreach (SimdPath path in SimdPaths.Available())
            {
                PackedMatrix packed = PackedMatrix.Pack(w, gates, units, columns, Isa.WidthOf(path), WeightFormat.Int8);
                int stride = packed.PaddedRows;
                float[] y = Packed(packed, y0, batch);
                SimdPaths.MatMul(path, packed, x, columns, batch, y, stride);
                var weights = new QuantizedWeights(w, rows, columns);
                for (int b = 0; b < batch; b++)
                {
                    ReadOnlySpan<float> xb = x.AsSpan(b * columns, columns);
                    for (int r = 0; r < rows; r++)
                    {
                        float actual = y[(b * stride) + packed.PackedRowOf(r)];
                        double expected = y0[(b * rows) + r];
                        for (int c = 0; c < columns; c++)
                        {
                            expected += (double)weights.Q[(r * columns) + c] * weights.Scale[r] * xb[c];
                        }

                        if (b is 0 or 5)
                        {
                            Assert.True(float.IsFinite(actual), $"{path}: finite row {b} output {r} is {actual}");
                        }
                        else
                        {
                            // IEEE: NaN stays NaN, one infinity gives its sign, 0 · ∞ and ∞ − ∞ give NaN.
                            Assert.False(double.IsFinite(expected), $"row {b} output {r}: expected a non-finite reference");
                            Assert.True(double.IsNaN(expected) ? float.IsNaN(actual) : actual == expected, $"{path}: row {b} output {r} is {actual}, expected {expected}");
                        }
                    }
                }

                // The finite rows are exactly what they are without the others.
                foreach (int b in new[] { 0, 5 })
                {
                    float[] alone = Packed(packed, y0.AsSpan(b * rows, rows).ToArray(), 1);
                    SimdPaths.MatMul(path, packed, x.AsSpan(b * columns, columns), columns, 1, alone, stride);
                    AssertBitsEqual(y.AsSpan(b * stride, stride), alone, $"{path}: row {b} beside non-finite rows");
                }
            }
        }
    }

    [Fact]
    public void Int8RowsWhoseScalesWouldOverflowAreNotQuantized()
    {
        // s_w = 1e7 / 127 and s_x = 3e38 / 32767: their product overflows, so a zero integer sum would
        // become 0 · ∞ = NaN. The float path gives the exact 0 of these products instead.
        const int columns = 2;
        float[] w = [1e7f, 0f, 1e-3f, 0f];
        float[] x = [0f, 3e38f];
        foreach (SimdPath path in SimdPaths.Available())
        {
            PackedMatrix packed = PackedMatrix.Pack(w, 1, 2, columns, Isa.WidthOf(path), WeightFormat.Int8);
            float[] y = new float[packed.PaddedRows];
            SimdPaths.MatMul(path, packed, x, columns, 1, y, packed.PaddedRows);
            Assert.Equal(0f, y[0]);
            Assert.Equal(0f, y[1]);
        }
    }

    [Fact]
    public void ActivationQuantizationIsTheSameOnEveryPathAndWithinHalfAStep()
    {
        var random = new Random(3);
        for (int length = 0; length <= 70; length++)
        {
            float[] x = new float[length];
            for (int i = 0; i < length; i++)
            {
                x[i] = TestSizes.Value(random, allowHuge: true);
            }

            float max = 0f;
            foreach (float v in x)
            {
                max = MathF.Max(max, MathF.Abs(v));
            }

            float inverse = max > 0f ? 32767f / max : 0f;
            short[]? first = null;
            foreach (SimdPath path in SimdPaths.Available())
            {
                short[] q = new short[length];
                int bits = SimdPaths.QuantizeInt16(path, x, inverse, q);
                Assert.Equal(BitConverter.SingleToInt32Bits(max), bits);
                for (int i = 0; i < length; i++)
                {
                    double exact = (double)x[i] * inverse;
                    Assert.True(Math.Abs(q[i] - exact) <= 0.5 + 2e-3 && Math.Abs((int)q[i]) <= 32767, $"{path} length {length}: x {x[i]} → {q[i]} (x / s = {exact})");
                }

                first ??= q;
                Assert.Equal(first, q);
            }
        }

        // NaN and infinities have the largest magnitude bits.
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            float[] x = new float[37];
            x[20] = bad;
            foreach (SimdPath path in SimdPaths.Available())
            {
                Assert.True(SimdPaths.QuantizeInt16(path, x, 0f, new short[37]) >= Int16Rows.NonFiniteBits, $"{path}: {bad}");
            }
        }
    }

    [Fact]
    public void Int8PanelsInterleaveColumnPairsAndPadOddColumnsWithZero()
    {
        // gates 1, units 5, width 4: two vectors in one panel; columns 3 → two pairs, the last padded.
        const int units = 5, columns = 3, width = 4;
        float[] w = new float[units * columns];
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = i - 7;
        }

        PackedMatrix packed = PackedMatrix.Pack(w, 1, units, columns, width, WeightFormat.Int8);
        var weights = new QuantizedWeights(w, units, columns);
        ReadOnlySpan<sbyte> bytes = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(packed.Bytes);
        Assert.Equal(4, packed.StoredColumns);
        for (int pair = 0; pair < 2; pair++)
        {
            for (int vector = 0; vector < 2; vector++)
            {
                for (int lane = 0; lane < width; lane++)
                {
                    for (int j = 0; j < 2; j++)
                    {
                        int row = (vector * width) + lane, column = (2 * pair) + j;
                        sbyte expected = row < units && column < columns ? weights.Q[(row * columns) + column] : (sbyte)0;
                        Assert.Equal(expected, bytes[(((((pair * 2) + vector) * width) + lane) * 2) + j]);
                    }
                }
            }
        }
    }

    [Fact]
    public void QuantizedMatricesStreamHalfAndAQuarterOfTheBytes()
    {
        float[] w = new float[4 * 64 * 65];
        long fp32 = PackedMatrix.Pack(w.AsSpan(0, 4 * 64 * 64), 4, 64, 64, WeightFormat.Float32).WeightBytes;
        Assert.Equal(fp32 / 2, PackedMatrix.Pack(w.AsSpan(0, 4 * 64 * 64), 4, 64, 64, WeightFormat.BFloat16).WeightBytes);
        Assert.Equal(fp32 / 4, PackedMatrix.Pack(w.AsSpan(0, 4 * 64 * 64), 4, 64, 64, WeightFormat.Int8).WeightBytes);
        Assert.Equal(4L * 64 * 66, PackedMatrix.Pack(w, 4, 64, 65, WeightFormat.Int8).WeightBytes); // the pad column is streamed too
    }

    [Fact]
    public void BFloat16RoundsToNearestEven()
    {
        Assert.Equal(0x3F80, PackedMatrix.ToBFloat16(1f));
        Assert.Equal(0x3F80, PackedMatrix.ToBFloat16(BitConverter.Int32BitsToSingle(0x3F808000))); // tie → even
        Assert.Equal(0x3F82, PackedMatrix.ToBFloat16(BitConverter.Int32BitsToSingle(0x3F818000))); // tie → even (up)
        Assert.Equal(0x3F81, PackedMatrix.ToBFloat16(BitConverter.Int32BitsToSingle(0x3F808001)));
    }

    private static void AssertBitsEqual(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R}");
            }
        }
    }

    // y0 [batch, rows] in natural order → [batch, PaddedRows] in packed order.
    private static float[] Packed(PackedMatrix packed, float[] y0, int batch)
    {
        float[] y = new float[batch * packed.PaddedRows];
        for (int b = 0; b < batch; b++)
        {
            packed.ToPackedOrder(y0.AsSpan(b * packed.Rows, packed.Rows), y.AsSpan(b * packed.PaddedRows, packed.PaddedRows));
        }

        return y;
    }

    private static float[] RandomWeights(Random random, int length)
    {
        float[] w = new float[length];
        for (int i = 0; i < length; i++)
        {
            w[i] = TestSizes.Value(random, allowHuge: false);
        }

        return w;
    }

    // [batch, stride] rows of several kinds; the gap after each row's columns holds NaN, which must never be read.
    private static float[] RandomActivations(Random random, int batch, int columns, int stride, bool ordinaryOnly = false)
    {
        float[] x = new float[batch * stride];
        Array.Fill(x, float.NaN);
        for (int b = 0; b < batch; b++)
        {
            int kind = ordinaryOnly ? 9 : random.Next(10);
            for (int c = 0; c < columns; c++)
            {
                float sign = random.Next(2) == 0 ? -1f : 1f;
                x[(b * stride) + c] = kind switch
                {
                    0 => 0f,                                                              // all zero: q = 0
                    1 => sign * (float)(random.NextDouble() * 1e-32),                     // all tiny: the float path
                    2 => random.Next(8) == 0 ? sign * 1e30f : TestSizes.Value(random, allowHuge: false), // a large value sets the scale
                    3 => sign * 32767f * (float)random.Next(3),                           // exact multiples of the step
                    _ => TestSizes.Value(random, allowHuge: false),                       // zeros, subnormal, tiny and ordinary values
                };
            }
        }

        return x;
    }

    /// <summary>Per-row int8 weights as documented, computed here.</summary>
    private sealed class QuantizedWeights
    {
        public QuantizedWeights(float[] w, int rows, int columns)
        {
            Q = new sbyte[rows * columns];
            Scale = new float[rows];
            for (int r = 0; r < rows; r++)
            {
                float max = 0f;
                for (int c = 0; c < columns; c++)
                {
                    max = MathF.Max(max, MathF.Abs(w[(r * columns) + c]));
                }

                float scale = max / 127f;
                float inverse = scale > 0f ? 1f / scale : 0f;
                Scale[r] = scale;
                MaxScale = MathF.Max(MaxScale, scale);
                MinScale = scale > 0f && (MinScale == 0f || scale < MinScale) ? scale : MinScale;
                for (int c = 0; c < columns; c++)
                {
                    Q[(r * columns) + c] = (sbyte)Math.Clamp(MathF.Round(w[(r * columns) + c] * inverse, MidpointRounding.ToEven), -127f, 127f);
                }
            }
        }

        public sbyte[] Q { get; }

        public float[] Scale { get; }

        public float MaxScale { get; }

        /// <summary>The smallest non-zero row scale (0 if there is none).</summary>
        public float MinScale { get; }
    }

    /// <summary>One random int8 product: W [gates · units, columns], X [batch, columns] (row stride columns + 1), Y₀.</summary>
    private sealed class Int8Problem
    {
        private readonly int gates, units, columns, batch, rows, xStride;
        private readonly float[] w, x, y0;
        private readonly QuantizedWeights weights;

        public Int8Problem(Random random, int gates, int units, int columns, int batch)
        {
            this.gates = gates;
            this.units = units;
            this.columns = columns;
            this.batch = batch;
            rows = gates * units;
            xStride = columns + 1;
            w = RandomWeights(random, rows * columns);
            x = RandomActivations(random, batch, columns, xStride);
            y0 = RandomActivations(random, batch, rows, rows, ordinaryOnly: true);
            weights = new QuantizedWeights(w, rows, columns);
        }

        /// <summary>Rows of X the documented rule quantizes (the others take the float path).</summary>
        public int QuantizedRows { get; private set; }

        /// <summary>Null when every path is right, else what went wrong.</summary>
        public string? CheckEveryPath()
        {
            var quantizedRows = new List<float[]>(); // per path: [batch, rows] natural order
            foreach (SimdPath path in SimdPaths.Available())
            {
                PackedMatrix packed = PackedMatrix.Pack(w, gates, units, columns, Isa.WidthOf(path), WeightFormat.Int8);
                if (!StoredWeightsMatch(packed))
                {
                    return $"{path}: stored weights differ from the documented quantization";
                }

                int stride = packed.PaddedRows;
                float[] y = Packed(packed, y0, batch);
                SimdPaths.MatMul(path, packed, x, xStride, batch, y, stride);
                float[] natural = new float[batch * rows];
                for (int b = 0; b < batch; b++)
                {
                    for (int r = 0; r < rows; r++)
                    {
                        natural[(b * rows) + r] = y[(b * stride) + packed.PackedRowOf(r)];
                    }

                    for (int p = 0; p < stride; p++)
                    {
                        if (!IsRow(packed, p) && y[(b * stride) + p] != 0f)
                        {
                            return $"{path}: padding {p} of row {b} is {y[(b * stride) + p]}";
                        }
                    }
                }

                quantizedRows.Add(natural);
            }

            for (int b = 0; b < batch; b++)
            {
                bool quantized = TryQuantize(x.AsSpan(b * xStride, columns), out short[] q, out float scale);
                QuantizedRows += quantized ? 1 : 0;
                for (int r = 0; r < rows; r++)
                {
                    string? failure = quantized ? WithinQuantized(b, r, q, scale, quantizedRows) : WithinFloat(b, r, quantizedRows);
                    if (failure is not null)
                    {
                        return $"row {b} ({(quantized ? "quantized" : "float path")}) output {r}: {failure}";
                    }
                }
            }

            return null;
        }

        // The activation row as documented; false when it takes the float path.
        private bool TryQuantize(ReadOnlySpan<float> row, out short[] q, out float scale)
        {
            q = new short[row.Length];
            float max = 0f;
            foreach (float v in row)
            {
                max = MathF.Max(max, MathF.Abs(v));
            }

            scale = max / 32767f;
            if (max == 0f)
            {
                return true;
            }

            float inverse = 32767f / max;
            if (!float.IsFinite(max) || scale < MinNormal || !float.IsFinite(inverse)
                || (weights.MinScale != 0f && scale * weights.MinScale < MinNormal) || !float.IsFinite(scale * weights.MaxScale))
            {
                return false;
            }

            for (int c = 0; c < row.Length; c++)
            {
                q[c] = (short)Math.Clamp(MathF.Round(row[c] * inverse, MidpointRounding.ToEven), -32767f, 32767f);
            }

            return true;
        }

        // y₀ + Σ over chunks of (exact Σ q_w q_x) · s_w · s_x; each chunk costs the kernel three roundings
        // (the conversion, two multiplies) and one add. Every path must also give the same bits.
        private string? WithinQuantized(int b, int r, short[] q, float scale, List<float[]> results)
        {
            double expected = y0[(b * rows) + r];
            double magnitude = Math.Abs(expected);
            double dequantized = expected, halfSteps = 0;
            int chunks = 0;
            for (int c0 = 0; c0 < columns; c0 += Chunk, chunks++)
            {
                long sum = 0;
                for (int c = c0; c < Math.Min(columns, c0 + Chunk); c++)
                {
                    sum += weights.Q[(r * columns) + c] * (long)q[c];
                    double wk = (double)weights.Q[(r * columns) + c] * weights.Scale[r];
                    dequantized += wk * x[(b * xStride) + c];
                    halfSteps += Math.Abs(wk) * scale * 0.5;
                }

                double term = sum * (double)weights.Scale[r] * scale;
                expected += term;
                magnitude += Math.Abs(term);
            }

            double bound = ((chunks + 4) * 6e-8 * magnitude) + ((chunks + 1) * 1e-44);
            float actual = results[0][(b * rows) + r];
            foreach (float[] other in results)
            {
                if (BitConverter.SingleToInt32Bits(other[(b * rows) + r]) != BitConverter.SingleToInt32Bits(actual))
                {
                    return $"paths differ: {actual:R} and {other[(b * rows) + r]:R}";
                }
            }

            // The quantized math, and (looser) the float product of the int8 weights with the exact
            // activations, which the activation rounding moves by at most half a step per column.
            if (!(Math.Abs(actual - expected) <= bound))
            {
                return $"{actual:R}, expected {expected:R} ± {bound:E3}";
            }

            double looser = bound + (halfSteps * (1 + 1e-6)) + (2 * 6e-8 * magnitude);
            return Math.Abs(actual - dequantized) <= looser ? null : $"{actual:R}, the unquantized activations give {dequantized:R} ± {looser:E3}";
        }

        // (Σ q_w · x) · s_w in float: every path within the float rounding bound.
        private string? WithinFloat(int b, int r, List<float[]> results)
        {
            double expected = y0[(b * rows) + r];
            double magnitude = Math.Abs(expected);
            for (int c = 0; c < columns; c++)
            {
                double term = (double)weights.Q[(r * columns) + c] * weights.Scale[r] * x[(b * xStride) + c];
                expected += term;
                magnitude += Math.Abs(term);
            }

            double bound = (columns + 3) * ((6e-8 * magnitude) + 1e-45);
            foreach (float[] result in results)
            {
                if (!(Math.Abs(result[(b * rows) + r] - expected) <= bound))
                {
                    return $"{result[(b * rows) + r]:R}, expected {expected:R} ± {bound:E3}";
                }
            }

            return null;
        }

        private bool StoredWeightsMatch(PackedMatrix packed)
        {
            float[] row = new float[columns];
            for (int r = 0; r < rows; r++)
            {
                packed.ReadRow(r, row);
                if (packed.Scales[packed.PackedRowOf(r)] != weights.Scale[r])
                {
                    return false;
                }

                for (int c = 0; c < columns; c++)
                {
                    if (row[c] != weights.Q[(r * columns) + c] * weights.Scale[r])
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        private bool IsRow(PackedMatrix packed, int position)
        {
            for (int r = 0; r < rows; r++)
            {
                if (packed.PackedRowOf(r) == position)
                {
                    return true;
                }
            }

            return false;
        }
    }
}

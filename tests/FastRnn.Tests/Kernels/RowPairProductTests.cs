using System;
using FastRnn.Kernels;
using FsCheck.Xunit;
using Xunit;

namespace FastRnn.Tests.Kernels;

/// <summary>
/// One stream's paired step product (<see cref="RowPairProduct"/>): y = A·a + B·b in one pass equals, bit
/// for bit, A·a written and B·b added by the two-pass product, and y_a = A·a, y_b = B·b apart (a GRU's)
/// equal the two products written, on every path, for float32 and bfloat16 weights, with either matrix
/// the wider one, walking its panels either way; and it refuses matrices not packed alike.
/// </summary>
public sealed class RowPairProductTests
{
    [Property(MaxTest = 80)]
    public bool OnePassEqualsTwoPassesBitForBit(int unitsPick, int columnsAPick, int columnsBPick, int gatesPick, bool bfloat16, bool descending, int seed)
    {
        int units = TestSizes.Pick(unitsPick, minimum: 1);
        int columnsA = TestSizes.Pick(columnsAPick, minimum: 1);
        int columnsB = TestSizes.Pick(columnsBPick, minimum: 1);
        int gates = new[] { 1, 3, 4 }[(int)((uint)gatesPick % 3)];
        WeightFormat format = bfloat16 ? WeightFormat.BFloat16 : WeightFormat.Float32;
        var random = new Random(seed);
        float[] wa = RandomValues(random, gates * units * columnsA);
        float[] wb = RandomValues(random, gates * units * columnsB);
        float[] xa = RandomValues(random, columnsA);
        float[] xb = RandomValues(random, columnsB);
        foreach (SimdPath path in SimdPaths.Available())
        {
            int width = Isa.WidthOf(path);
            PackedMatrix a = PackedMatrix.Pack(wa, gates, units, columnsA, width, format);
            PackedMatrix b = PackedMatrix.Pack(wb, gates, units, columnsB, width, format);
            Assert.True(RowPairProduct.Supports(a, b));
            float[] twoPasses = new float[a.PaddedRows];
            PackedMatMul.ByShape(path, a, xa, columnsA, 1, twoPasses, a.PaddedRows, ProductWrite.Overwrite);
            PackedMatMul.ByShape(path, b, xb, columnsB, 1, twoPasses, a.PaddedRows, ProductWrite.Accumulate);
            float[] onePass = RandomValues(random, a.PaddedRows); // written, not added to
            PanelOrder order = descending ? PanelOrder.Descending : PanelOrder.Ascending;
            RowPairProduct.ByShape(path, a, b, xa, xb, onePass, default, order);
            string shape = $"{path}, {format}, [{gates}×{units}] × ({columnsA} + {columnsB}), descending {descending}";
            AssertSameBits(twoPasses, onePass, shape + ", summed");

            float[] aAlone = new float[a.PaddedRows], bAlone = new float[a.PaddedRows];
            PackedMatMul.ByShape(path, a, xa, columnsA, 1, aAlone, a.PaddedRows, ProductWrite.Overwrite);
            PackedMatMul.ByShape(path, b, xb, columnsB, 1, bAlone, a.PaddedRows, ProductWrite.Overwrite);
            float[] aApart = RandomValues(random, a.PaddedRows), bApart = RandomValues(random, a.PaddedRows); // written, not added to
            RowPairProduct.ByShape(path, a, b, xa, xb, aApart, bApart, order);
            AssertSameBits(aAlone, aApart, shape + ", A apart");
            AssertSameBits(bAlone, bApart, shape + ", B apart");
        }

        return true;
    }

    private static void AssertSameBits(float[] twoPasses, float[] onePass, string what)
    {
        for (int i = 0; i < onePass.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(onePass[i]) != BitConverter.SingleToInt32Bits(twoPasses[i]))
            {
                throw new InvalidOperationException($"{what}: element {i} is {onePass[i]:R} in one pass, {twoPasses[i]:R} in two");
            }
        }
    }

    [Theory]
    [InlineData(CellKind.Lstm, CellVariant.Standard, WeightFormat.Float32, true)]
    [InlineData(CellKind.Lstm, CellVariant.Standard, WeightFormat.BFloat16, true)]
    [InlineData(CellKind.RnnTanh, CellVariant.Standard, WeightFormat.Float32, true)]
    [InlineData(CellKind.Gru, CellVariant.Standard, WeightFormat.Float32, true)]
    [InlineData(CellKind.Gru, CellVariant.Standard, WeightFormat.BFloat16, true)]
    [InlineData(CellKind.Lstm, CellVariant.Standard, WeightFormat.Int8, false)]
    [InlineData(CellKind.Gru, CellVariant.Standard, WeightFormat.Int8, false)]
    [InlineData(CellKind.Gru, CellVariant.ResetBefore, WeightFormat.Float32, false)]
    public void StepsWithFloatWeightsPairTheirProductsButTheResetBeforeGru(CellKind kind, CellVariant variant, WeightFormat format, bool paired)
    {
        var network = FastRnn.Networks.RecurrentNetwork.CreateRandom(new NetworkDescription(kind, 24, 40) { Variant = variant }, 1).WithWeightFormat(format);
        Assert.Equal(paired, network.Cells[0].PairsRowProducts);
    }

    [Fact]
    public void AnApartProductWithoutRoomForBIsRefused()
    {
        var random = new Random(5);
        int width = Isa.FloatsPerVector;
        PackedMatrix a = PackedMatrix.Pack(RandomValues(random, 3 * 20 * 8), 3, 20, 8, width, WeightFormat.Float32);
        float[] x = new float[8], y = new float[a.PaddedRows];
        ArgumentException e = Assert.Throws<ArgumentException>(
            () => RowPairProduct.MultiplyPanelsApart(a, a, 0, a.Panels, x, x, y, new float[a.PaddedRows - 1], PanelOrder.Ascending));
        Assert.Contains($"{a.PaddedRows} floats, got {a.PaddedRows - 1}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MatricesNotPackedAlikeOrInt8AreRefusedWithTheirShapes()
    {
        var random = new Random(3);
        int width = Isa.FloatsPerVector;
        PackedMatrix a = PackedMatrix.Pack(RandomValues(random, 4 * 20 * 8), 4, 20, 8, width, WeightFormat.Float32);
        PackedMatrix other = PackedMatrix.Pack(RandomValues(random, 4 * 36 * 8), 4, 36, 8, width, WeightFormat.Float32);
        PackedMatrix int8 = PackedMatrix.Pack(RandomValues(random, 4 * 20 * 8), 4, 20, 8, width, WeightFormat.Int8);
        Assert.False(RowPairProduct.Supports(a, other));
        Assert.False(RowPairProduct.Supports(int8, int8));
        float[] x = new float[8], y = new float[other.PaddedRows];
        ArgumentException e = Assert.Throws<ArgumentException>(() => RowPairProduct.MultiplyPanels(a, other, 0, a.Panels, x, x, y, PanelOrder.Ascending));
        Assert.Contains($"[{a.PaddedRows}, 8]", e.Message, StringComparison.Ordinal);
        Assert.Contains($"[{other.PaddedRows}, 8]", e.Message, StringComparison.Ordinal);
    }

    private static float[] RandomValues(Random random, int count)
    {
        float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = TestSizes.Value(random, allowHuge: false);
        }

        return values;
    }
}

using System;
using System.Linq;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using FastRnn.Kernels;
using Xunit;

namespace FastRnn.Tests.Kernels;

/// <summary>
/// The AVX-VNNI int8 kernel (vpdpwssd) against the AVX2 one it replaces on the 256-bit path (vpmaddwd +
/// vpaddd): the same int32 sums over whole 256-column chunks, on random and extreme operands (±127 weights
/// times ±32767 activations), and the same products bit for bit. Skipped, visibly, where the CPU or the
/// runtime has no AVX-VNNI (IsaPathTests checks which int8 kernel each path selects).
/// </summary>
public sealed class VnniInt8Tests
{
    private const int Lanes = 8;                                // int32 lanes of a 256-bit accumulator
    private const int Pairs = Int8MatMul.ChunkColumns / 2;      // column pairs of one whole chunk
    private const string NoVnni = "this CPU (or DOTNET_Enable* switch) has no AVX-VNNI: the vpdpwssd kernel cannot run here";

    [Fact]
    public void VnniSumsEqualPmaddwdSumsOverAWholeChunkOfRandomOperands()
    {
        Assert.SkipUnless(VnniRuns, NoVnni);
        var random = new Random(17);
        for (int trial = 0; trial < 20; trial++)
        {
            AssertSameSums(
                [.. Enumerable.Range(0, Pairs * Lanes * 2).Select(_ => (sbyte)random.Next(-127, 128))],
                [.. Enumerable.Range(0, Pairs * 2).Select(_ => (short)random.Next(-32767, 32768))]);
        }
    }

    [Theory]
    [InlineData(127, 32767)]
    [InlineData(-127, 32767)]
    [InlineData(127, -32767)]
    [InlineData(-127, -32767)]
    public void VnniSumsEqualPmaddwdSumsAtTheExtremes(int weight, int activation)
    {
        // Every product at its largest magnitude: a lane sums to ±256 · 127 · 32767 ≈ ±1.07e9, the most a chunk holds.
        Assert.SkipUnless(VnniRuns, NoVnni);
        AssertSameSums([.. Enumerable.Repeat((sbyte)weight, Pairs * Lanes * 2)], [.. Enumerable.Repeat((short)activation, Pairs * 2)]);
        AssertSameSums(
            [.. Enumerable.Range(0, Pairs * Lanes * 2).Select(i => (sbyte)(i % 3 == 0 ? weight : -weight))],
            [.. Enumerable.Range(0, Pairs * 2).Select(i => (short)(i % 2 == 0 ? activation : -activation))]);
    }

    [Fact]
    public void VnniAccumulatesWithoutSaturatingAsPaddDoes()
    {
        // Not a state the kernel reaches (a chunk sums to at most 1.07e9 from 0), but it tells vpdpwssd
        // from its saturating twin vpdpwssds: both kernels wrap the same way.
        Assert.SkipUnless(VnniRuns, NoVnni);
        var acc = Vector256.Create(int.MaxValue - 5, int.MinValue + 5, int.MaxValue, int.MinValue, 0, -1, 1, 1 << 30);
        Vector256<short> w = Vector256.Create((short)127);
        Vector256<short> q = Vector256.Create((short)32767);
        Assert.Equal(Int8Dot256.MultiplyAdd(w, q, acc), Int8Dot256Vnni.MultiplyAdd(w, q, acc));
        Assert.Equal(Int8Dot256.MultiplyAdd(w, -q, acc), Int8Dot256Vnni.MultiplyAdd(w, -q, acc));
    }

    [Theory]
    [InlineData(1, 5, 7, 1)]
    [InlineData(4, 17, 256, 2)]
    [InlineData(3, 33, 257, 3)]
    [InlineData(4, 64, 513, 5)]
    [InlineData(1, 129, 511, 4)]
    public void VnniProductsEqualPmaddwdProductsBitForBit(int gates, int units, int columns, int batch)
    {
        Assert.SkipUnless(VnniRuns, NoVnni);
        var random = new Random((gates * 1000) + columns);
        float[] w = new float[gates * units * columns];
        float[] x = new float[batch * columns];
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = (float)((random.NextDouble() * 2) - 1);
        }

        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)((random.NextDouble() * 8) - 4);
        }

        PackedMatrix packed = PackedMatrix.Pack(w, gates, units, columns, Lanes, WeightFormat.Int8);
        int stride = packed.PaddedRows;
        float[] vnni = new float[batch * stride];
        float[] pmaddwd = new float[batch * stride];
        Int8MatMul.Run<Vector256Ops, Vector256<float>, Int8Dot256Vnni, Vector256<short>, Vector256<int>>(
            packed, 0, packed.Panels, x, columns, batch, vnni, stride);
        Int8MatMul.Run<Vector256Ops, Vector256<float>, Int8Dot256, Vector256<short>, Vector256<int>>(
            packed, 0, packed.Panels, x, columns, batch, pmaddwd, stride);
        for (int i = 0; i < vnni.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(pmaddwd[i]), BitConverter.SingleToInt32Bits(vnni[i]));
        }
    }

    private static bool VnniRuns => Avx2.IsSupported && AvxVnni.IsSupported;

    // One chunk of column pairs, w [pair][lane][2] and q [pair][2], through both kernels and exactly in int64.
    private static void AssertSameSums(sbyte[] w, short[] q)
    {
        Vector256<int> vnni = Int8Dot256Vnni.Zero, pmaddwd = Int8Dot256.Zero;
        for (int p = 0; p < Pairs; p++)
        {
            vnni = Int8Dot256Vnni.MultiplyAdd(Int8Dot256Vnni.LoadWeights(ref w[p * Lanes * 2]), Int8Dot256Vnni.BroadcastPair(ref q[2 * p]), vnni);
            pmaddwd = Int8Dot256.MultiplyAdd(Int8Dot256.LoadWeights(ref w[p * Lanes * 2]), Int8Dot256.BroadcastPair(ref q[2 * p]), pmaddwd);
        }

        Assert.Equal(pmaddwd, vnni);
        for (int lane = 0; lane < Lanes; lane++)
        {
            long exact = 0;
            for (int p = 0; p < Pairs; p++)
            {
                exact += (w[(p * Lanes * 2) + (2 * lane)] * (long)q[2 * p]) + (w[(p * Lanes * 2) + (2 * lane) + 1] * (long)q[(2 * p) + 1]);
            }

            Assert.Equal(exact, vnni[lane]);
        }
    }
}

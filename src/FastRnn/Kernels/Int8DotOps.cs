using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace FastRnn.Kernels;

// The integer paths of the int8 kernel, side by side. Each is used only where its instructions exist
// (PackedMatMul checks IsSupported once, as a JIT-time constant); every one gives the same int32 sums.

/// <summary>
/// 512-bit (AVX-512BW): 16 rows per vector, vpmovsxbw + vpmaddwd + vpaddd per column pair; four batch rows in the 32
/// registers. Also on CPUs with AVX-512 VNNI: .NET 10 has no 512-bit vpdpwssd (see <see cref="Int8Dot256Vnni"/>).
/// </summary>
internal readonly struct Int8Dot512 : IInt8DotOps<Vector512<short>, Vector512<int>>
{
    public static int Lanes => 16;

    public static int BatchBlock => 4;

    public static string Name => "vpmaddwd + vpaddd (AVX-512BW, 512-bit)";

    public static Vector512<int> Zero => Vector512<int>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<short> LoadWeights(ref sbyte source) => Avx512BW.ConvertToVector512Int16(Vector256.LoadUnsafe(ref source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<short> BroadcastPair(ref short pair) =>
        Vector512.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.As<short, byte>(ref pair))).AsInt16();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> MultiplyAdd(Vector512<short> weights, Vector512<short> pair, Vector512<int> acc) =>
        acc + Avx512BW.MultiplyAddAdjacent(weights, pair);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(Vector512<int> acc, ref float rowScales, float inputScale, ref float y)
    {
        Vector512<float> scales = Vector512.LoadUnsafe(ref rowScales) * Vector512.Create(inputScale);
        (Vector512.LoadUnsafe(ref y) + (Vector512.ConvertToSingle(acc) * scales)).StoreUnsafe(ref y);
    }
}

/// <summary>256-bit (AVX2): 8 rows per vector, the same three instructions; two batch rows in the 16 registers.</summary>
internal readonly struct Int8Dot256 : IInt8DotOps<Vector256<short>, Vector256<int>>
{
    public static int Lanes => 8;

    public static int BatchBlock => 2;

    public static string Name => "vpmaddwd + vpaddd (AVX2, 256-bit)";

    public static Vector256<int> Zero => Vector256<int>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<short> LoadWeights(ref sbyte source) => Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<short> BroadcastPair(ref short pair) =>
        Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.As<short, byte>(ref pair))).AsInt16();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> MultiplyAdd(Vector256<short> weights, Vector256<short> pair, Vector256<int> acc) =>
        acc + Avx2.MultiplyAddAdjacent(weights, pair);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(Vector256<int> acc, ref float rowScales, float inputScale, ref float y)
    {
        Vector256<float> scales = Vector256.LoadUnsafe(ref rowScales) * Vector256.Create(inputScale);
        (Vector256.LoadUnsafe(ref y) + (Vector256.ConvertToSingle(acc) * scales)).StoreUnsafe(ref y);
    }
}

/// <summary>
/// 256-bit with AVX-VNNI (Intel since Alder Lake and Sapphire Rapids, AMD Zen 5): <see cref="Int8Dot256"/> with the
/// multiply, the pair add and the accumulation in one instruction, vpdpwssd, instead of vpmaddwd + vpaddd.
/// The same int32 sums: vpdpwssd does not saturate, and vpmaddwd never does here either (|w| ≤ 127,
/// |q| ≤ 32767, so a pair sums to at most 2 · 127 · 32767), so both compute acc + w0 · q0 + w1 · q1 exactly.
/// </summary>
/// <remarks>
/// The Vector512 path keeps vpmaddwd (<see cref="Int8Dot512"/>): .NET 10 has no 512-bit vpdpwssd (no
/// Avx512Vnni class, no VNNI method on Avx10v1; the 512-bit forms of AvxVnniInt8/AvxVnniInt16 multiply
/// int8 by int8 or int16 by uint16, not this kernel's int16 by int16). On a CPU with both AVX-512 and
/// AVX-VNNI, <c>DOTNET_EnableAVX512=0</c> selects this kernel; whether that is faster has not been measured.
/// </remarks>
internal readonly struct Int8Dot256Vnni : IInt8DotOps<Vector256<short>, Vector256<int>>
{
    public static int Lanes => Int8Dot256.Lanes;

    public static int BatchBlock => Int8Dot256.BatchBlock;

    public static string Name => "vpdpwssd (AVX-VNNI, 256-bit)";

    public static Vector256<int> Zero => Vector256<int>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<short> LoadWeights(ref sbyte source) => Int8Dot256.LoadWeights(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<short> BroadcastPair(ref short pair) => Int8Dot256.BroadcastPair(ref pair);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> MultiplyAdd(Vector256<short> weights, Vector256<short> pair, Vector256<int> acc) =>
        AvxVnni.MultiplyWideningAndAdd(acc, weights, pair);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(Vector256<int> acc, ref float rowScales, float inputScale, ref float y) =>
        Int8Dot256.AddScaled(acc, ref rowScales, inputScale, ref y);
}

/// <summary>128-bit x86 (SSE2, pmovsxbw where SSE4.1 is present): 4 rows per vector, pmaddwd + paddd.</summary>
internal readonly struct Int8DotSse : IInt8DotOps<Vector128<short>, Vector128<int>>
{
    public static int Lanes => 4;

    public static int BatchBlock => 2;

    public static string Name => "pmaddwd + paddd (SSE2, 128-bit)";

    public static Vector128<int> Zero => Vector128<int>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<short> LoadWeights(ref sbyte source) =>
        Vector128.WidenLower(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<long>(ref Unsafe.As<sbyte, byte>(ref source))).AsSByte());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<short> BroadcastPair(ref short pair) =>
        Vector128.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.As<short, byte>(ref pair))).AsInt16();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> MultiplyAdd(Vector128<short> weights, Vector128<short> pair, Vector128<int> acc) =>
        acc + Sse2.MultiplyAddAdjacent(weights, pair);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(Vector128<int> acc, ref float rowScales, float inputScale, ref float y)
    {
        Vector128<float> scales = Vector128.LoadUnsafe(ref rowScales) * Vector128.Create(inputScale);
        (Vector128.LoadUnsafe(ref y) + (Vector128.ConvertToSingle(acc) * scales)).StoreUnsafe(ref y);
    }
}

/// <summary>
/// The int32 accumulator of one NEON vector of 4 rows, before its pairs are added: Low holds rows 0
/// and 1 as [row 0 even, row 0 odd, row 1 even, row 1 odd], High rows 2 and 3.
/// </summary>
internal readonly struct NeonAccumulator(Vector128<int> low, Vector128<int> high)
{
    public Vector128<int> Low { get; } = low;

    public Vector128<int> High { get; } = high;
}

/// <summary>
/// 128-bit ARM64 (NEON): 4 rows per vector. NEON has no pmaddwd; smlal/smlal2 (widening
/// multiply-accumulate) keep each product in its own int32 lane for the whole chunk, and one addp at
/// the end of the chunk adds the pairs: two instructions per column pair and vector, as pmaddwd + paddd.
/// </summary>
internal readonly struct Int8DotNeon : IInt8DotOps<Vector128<short>, NeonAccumulator>
{
    public static int Lanes => 4;

    public static int BatchBlock => 2;

    public static string Name => "smlal/smlal2 + addp (NEON, 128-bit)";

    public static NeonAccumulator Zero => new(Vector128<int>.Zero, Vector128<int>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<short> LoadWeights(ref sbyte source) => AdvSimd.SignExtendWideningLower(Vector64.LoadUnsafe(ref source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<short> BroadcastPair(ref short pair) =>
        Vector128.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.As<short, byte>(ref pair))).AsInt16();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static NeonAccumulator MultiplyAdd(Vector128<short> weights, Vector128<short> pair, NeonAccumulator acc) =>
        new(AdvSimd.MultiplyWideningLowerAndAdd(acc.Low, weights.GetLower(), pair.GetLower()), AdvSimd.MultiplyWideningUpperAndAdd(acc.High, weights, pair));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(NeonAccumulator acc, ref float rowScales, float inputScale, ref float y)
    {
        Vector128<int> sums = AdvSimd.Arm64.AddPairwise(acc.Low, acc.High); // [row 0, row 1, row 2, row 3]
        Vector128<float> scales = Vector128.LoadUnsafe(ref rowScales) * Vector128.Create(inputScale);
        (Vector128.LoadUnsafe(ref y) + (Vector128.ConvertToSingle(sums) * scales)).StoreUnsafe(ref y);
    }
}

/// <summary>Scalar: one row per "vector", the pair packed into an int (even column in the low 16 bits), plain integer math.</summary>
internal readonly struct Int8DotScalar : IInt8DotOps<int, int>
{
    public static int Lanes => 1;

    public static int BatchBlock => 2;

    public static string Name => "scalar integer multiply-add";

    public static int Zero => 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LoadWeights(ref sbyte source) => (source & 0xFFFF) | (Unsafe.Add(ref source, 1) << 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int BroadcastPair(ref short pair) => (pair & 0xFFFF) | (Unsafe.Add(ref pair, 1) << 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MultiplyAdd(int weights, int pair, int acc) =>
        acc + ((short)weights * (short)pair) + ((weights >> 16) * (pair >> 16));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(int acc, ref float rowScales, float inputScale, ref float y) => y += (float)acc * (rowScales * inputScale);
}

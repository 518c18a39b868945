using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;

namespace FastRnn.Benchmarks.Bounds;

/// <summary>
/// How fast this core reads a buffer that sits in L1, L2, L3 or memory: the bound on a batch-1
/// step, which must stream every weight byte once. Reads with the widest accelerated vectors and
/// eight independent accumulators, as the GEMV kernel does.
/// </summary>
[MemoryDiagnoser]
public class CacheBandwidthBenchmarks
{
    private float[] buffer = null!;

    /// <summary>Buffer size in KiB: 32 (L1), 512 (L2), 8192 (L3), 262144 (memory).</summary>
    [Params(32, 512, 8192, 262144)]
    public int KiB { get; set; }

    public long Bytes => KiB * 1024L;

    [GlobalSetup]
    public void Setup()
    {
        buffer = GC.AllocateArray<float>((int)(Bytes / sizeof(float)), pinned: true);
        for (int i = 0; i < buffer.Length; i++)
        {
            buffer[i] = i & 3;
        }
    }

    [Benchmark]
    public float Read() => Vector512.IsHardwareAccelerated ? Read512(buffer) : Vector256.IsHardwareAccelerated ? Read256(buffer) : Read128(buffer);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Read512(float[] data)
    {
        ref float p = ref data[0];
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int i = 0; i < data.Length; i += 128)
        {
            a0 += Vector512.LoadUnsafe(ref p, (nuint)i);
            a1 += Vector512.LoadUnsafe(ref p, (nuint)(i + 16));
            a2 += Vector512.LoadUnsafe(ref p, (nuint)(i + 32));
            a3 += Vector512.LoadUnsafe(ref p, (nuint)(i + 48));
            a4 += Vector512.LoadUnsafe(ref p, (nuint)(i + 64));
            a5 += Vector512.LoadUnsafe(ref p, (nuint)(i + 80));
            a6 += Vector512.LoadUnsafe(ref p, (nuint)(i + 96));
            a7 += Vector512.LoadUnsafe(ref p, (nuint)(i + 112));
        }

        return Vector512.Sum(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Read256(float[] data)
    {
        ref float p = ref data[0];
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int i = 0; i < data.Length; i += 64)
        {
            a0 += Vector256.LoadUnsafe(ref p, (nuint)i);
            a1 += Vector256.LoadUnsafe(ref p, (nuint)(i + 8));
            a2 += Vector256.LoadUnsafe(ref p, (nuint)(i + 16));
            a3 += Vector256.LoadUnsafe(ref p, (nuint)(i + 24));
            a4 += Vector256.LoadUnsafe(ref p, (nuint)(i + 32));
            a5 += Vector256.LoadUnsafe(ref p, (nuint)(i + 40));
            a6 += Vector256.LoadUnsafe(ref p, (nuint)(i + 48));
            a7 += Vector256.LoadUnsafe(ref p, (nuint)(i + 56));
        }

        return Vector256.Sum(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Read128(float[] data)
    {
        ref float p = ref data[0];
        Vector128<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int i = 0; i < data.Length; i += 16)
        {
            a0 += Vector128.LoadUnsafe(ref p, (nuint)i);
            a1 += Vector128.LoadUnsafe(ref p, (nuint)(i + 4));
            a2 += Vector128.LoadUnsafe(ref p, (nuint)(i + 8));
            a3 += Vector128.LoadUnsafe(ref p, (nuint)(i + 12));
        }

        return Vector128.Sum((a0 + a1) + (a2 + a3));
    }
}

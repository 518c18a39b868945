using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastRnn.Benchmarks.Shared;

/// <summary>
/// Reads a buffer front to back with the widest accelerated vectors and eight independent
/// accumulators, as the GEMV kernel streams packed weights: the read bandwidth that bounds a
/// batch-1 step. Shared (as a linked source file) by the kernel suite and the peer suite.
/// </summary>
internal static class StreamRead
{
    /// <summary>
    /// A pinned buffer of <paramref name="bytes"/> whose first float sits on a 64-byte boundary, as
    /// FastRnn's packed weights do (an unaligned 512-bit load spans two cache lines and halves the L1 rate).
    /// </summary>
    public static (float[] Buffer, int Start) Allocate(long bytes)
    {
        int floats = checked((int)(bytes / sizeof(float)));
        float[] buffer = GC.AllocateArray<float>(floats + 16, pinned: true);
        int start;
        unsafe
        {
            fixed (float* p = buffer)
            {
                start = (int)((64 - ((nuint)p % 64)) % 64) / sizeof(float);
            }
        }

        for (int i = 0; i < buffer.Length; i++)
        {
            buffer[i] = i & 3;
        }

        return (buffer, start);
    }

    /// <summary>Reads every float of <paramref name="data"/> (a multiple of 128 floats) once.</summary>
    public static float Read(Span<float> data) =>
        Vector512.IsHardwareAccelerated ? Read512(data) : Vector256.IsHardwareAccelerated ? Read256(data) : Read128(data);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Read512(Span<float> data)
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
    private static float Read256(Span<float> data)
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
    private static float Read128(Span<float> data)
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

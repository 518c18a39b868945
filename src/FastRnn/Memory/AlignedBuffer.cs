using System;
using System.Runtime.InteropServices;

namespace FastRnn.Memory;

/// <summary>
/// A pinned float buffer whose first element sits on a 64-byte boundary (one cache line, one
/// AVX-512 vector), so vector loads never straddle lines. Allocated once, reused for every call.
/// A buffer of <see cref="HugePages.MinimumBytes"/> or more is advised for huge pages on Linux
/// before it is zeroed, so its pages are huge from the first write.
/// </summary>
internal sealed class AlignedBuffer
{
    private const int AlignmentFloats = 16;
    private readonly float[] storage;
    private readonly int offset;

    /// <summary>Allocates a zeroed buffer of <paramref name="length"/> floats.</summary>
    public AlignedBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        if ((long)length * sizeof(float) < HugePages.MinimumBytes)
        {
            storage = GC.AllocateArray<float>(length + AlignmentFloats, pinned: true);
            offset = AlignmentOffset(storage);
            return;
        }

        // Not zeroed by the runtime (the clear below does it once, after the advice, faulting huge pages in).
        storage = GC.AllocateUninitializedArray<float>(length + AlignmentFloats, pinned: true);
        offset = AlignmentOffset(storage);
        AdviseHugePages(storage);
        storage.AsSpan().Clear();
    }

    /// <summary>Number of usable floats.</summary>
    public int Length { get; }

    /// <summary>The aligned, usable part.</summary>
    public Span<float> Span => storage.AsSpan(offset, Length);

    /// <summary>The aligned, usable part, for parallel parts that cannot hold a span (the storage never moves).</summary>
    public unsafe PinnedFloats Pinned
    {
        get
        {
            fixed (float* p = storage)
            {
                return new PinnedFloats(p + offset, Length);
            }
        }
    }

    private static unsafe void AdviseHugePages(float[] pinned)
    {
        fixed (float* p = pinned)
        {
            HugePages.Advise(p, (long)pinned.Length * sizeof(float));
        }
    }

    private static unsafe int AlignmentOffset(float[] pinned)
    {
        fixed (float* p = pinned)
        {
            long misalignment = (long)p & 63;
            return misalignment == 0 ? 0 : (int)((64 - misalignment) / sizeof(float));
        }
    }
}

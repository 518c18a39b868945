using System.Runtime.Intrinsics.X86;

namespace FastRnn.Kernels;

/// <summary>
/// Steps whose weights overflow a core's L2 walk their panels in alternate directions, chosen once per
/// process from the CPU: there, a step that walks first to last finds none of its weights in the L2,
/// since the last ones it read evicted the first; walking back, the next step starts with the weights
/// it read last, still in the L2.
/// </summary>
/// <remarks>
/// Measured on an Intel Xeon (family 6 model 207, 2 MiB L2 per core, a slow path beyond it; perf-results
/// alternating-panels/, BenchmarkDotNet): two steps' products of one stream's LSTM at H = 256 (2 MiB of
/// weights) 1.38× faster, a sequence step's W_hh at H = 512 (4 MiB) 1.56×; the peer suite's LSTM step at
/// H = 256 27.1 → 17.5 µs and one LSTM sequence at H = 512 on two threads 3.79 → 2.68 ms. Where the
/// weights fit the L2 (1 MiB) it gains nothing, and walking back restarts the hardware prefetcher at
/// every panel: hence only from the L2's size. bfloat16 weights count their own bytes (a paired step at
/// H = 512, 4 MiB, 1.47× faster); int8 products always walk first to last, being bound by their
/// arithmetic (walking back made the 2 MiB int8 step at H = 512 7 % slower). AMD cores keep one order
/// until a run there shows it pays (their L3 is several times faster than this Xeon's). The arithmetic
/// is the same either way.
/// </remarks>
internal static class AlternatingPanels
{
    /// <summary>
    /// Weight bytes a thread streams in one step from which its steps alternate: the L2 of an Intel core
    /// (CPUID leaf 4); long.MaxValue, never, elsewhere or where the size cannot be read.
    /// </summary>
    public static long FromBytes { get; } = Prefetch.IsIntel() ? IntelL2Bytes() : long.MaxValue;

    /// <summary>What `fastrnn info` says of the choice.</summary>
    public static string Description =>
        FromBytes == long.MaxValue
            ? "every step first to last"
            : $"steps over {FromBytes >> 10} KiB of weights a thread (the L2) alternate direction (Intel)";

    /// <summary>The order for step <paramref name="step"/> of a thread that streams <paramref name="bytes"/> of weights in it.</summary>
    public static PanelOrder For(long bytes, long step) => For(bytes, step, FromBytes);

    /// <summary><see cref="For(long, long)"/> with the threshold given (tests).</summary>
    public static PanelOrder For(long bytes, long step, long fromBytes) =>
        bytes >= fromBytes && (step & 1) != 0 ? PanelOrder.Descending : PanelOrder.Ascending;

    // CPUID leaf 4 lists the caches: type in EAX[4:0] (0: no more, 2: instruction), level in EAX[7:5],
    // and the size as ways × partitions × line × sets, each stored minus one.
    private static long IntelL2Bytes()
    {
        for (int index = 0; index < 16; index++)
        {
            (int eax, int ebx, int ecx, _) = X86Base.CpuId(4, index);
            int type = eax & 0x1F;
            if (type == 0)
            {
                break;
            }

            if (type != 2 && ((eax >> 5) & 0x7) == 2)
            {
                long ways = ((ebx >> 22) & 0x3FF) + 1L;
                long partitions = ((ebx >> 12) & 0x3FF) + 1L;
                long line = (ebx & 0xFFF) + 1L;
                long sets = (uint)ecx + 1L;
                return ways * partitions * line * sets;
            }
        }

        return long.MaxValue;
    }
}

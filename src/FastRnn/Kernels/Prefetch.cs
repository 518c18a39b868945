using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace FastRnn.Kernels;

/// <summary>
/// Software prefetch for the batched products: where it is issued (x86; elsewhere nothing) and, chosen
/// once per process from the CPU's vendor, from how many weight bytes a product fetches its next panel ahead.
/// </summary>
/// <remarks>
/// A batched product reads each weight panel once per row block. Weights that fit the L2 stay there
/// between calls; larger ones (an LSTM at H = 512: 4 MiB per matrix) come from L3 a panel at a time,
/// and without help the first row block of every panel waits for all of it. With prefetch, each row
/// block asks for its share of the next panel while it computes. Measured on an Intel Xeon (family 6
/// model 207, perf-results): a batch-64 LSTM sequence at H = 512 7–10 % faster on one thread and 6 %
/// on two, H = 256 unchanged. Such a product that adds into its outputs (a sequence step's recurrent
/// product, into the input projection written past the caches) also asks for the next row block's
/// outputs, rows a row stride apart that the hardware prefetchers do not follow: the same sequence
/// another 3 % faster on one thread, 1.5 % on two (perf-results, output-prefetch).
/// AMD cores keep the order they were measured at until a run there shows it pays.
/// The arithmetic is the same either way: only when lines arrive changes.
/// </remarks>
internal static class Prefetch
{
    /// <summary>Weight bytes from which Intel x86 cores prefetch: beyond a 2 MiB L2, the size of a Xeon core's.</summary>
    public const long IntelFromBytes = 2L << 20;

    /// <summary>
    /// Products over at least this many weight bytes fetch ahead on this CPU; long.MaxValue: never (also where
    /// the runtime offers no SSE, e.g. DOTNET_EnableHWIntrinsic=0, since there is no prefetch to issue).
    /// </summary>
    public static long ProductFromBytes { get; } = Sse.IsSupported && X86Cpu.IsIntel ? IntelFromBytes : long.MaxValue;

    /// <summary>What `fastrnn info` says of the choice.</summary>
    public static string Description =>
        ProductFromBytes == long.MaxValue
            ? "no software prefetch"
            : $"batched products over {ProductFromBytes >> 20} MiB of weights fetch the next panel, and the next rows they add into, into L2 ahead (Intel)";

    /// <summary>Asks for the cache line holding <paramref name="address"/> in L2 and beyond (prefetcht1); never faults.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void ToL2(ref byte address)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch1(Unsafe.AsPointer(ref address));
        }
    }
}

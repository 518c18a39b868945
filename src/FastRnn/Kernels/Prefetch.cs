using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace FastRnn.Kernels;

/// <summary>
/// Software prefetch for the batched products: where it is issued (x86; elsewhere nothing) and, chosen
/// once per process from the CPU's vendor and family, from how many weight bytes a product fetches its next panel ahead.
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
/// AMD Zen 5 and later cores prefetch from their L2's size (1 MiB there): measured on an AMD EPYC
/// family 26 model 2 (perf-results, product-prefetch), the batch-64 LSTM sequence at H = 256 8–15 %
/// faster on one thread in four runs of each build in turn, the larger products within the spread.
/// Zen 4 keeps no prefetch until a run there shows it pays.
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
    public static long ProductFromBytes { get; } =
        !Sse.IsSupported ? long.MaxValue : X86Cpu.IsIntel ? IntelFromBytes : X86Cpu.IsAmdZen5OrLater ? X86Cpu.L2Bytes : long.MaxValue;

    /// <summary>What `fastrnn info` says of the choice.</summary>
    public static string Description =>
        ProductFromBytes == long.MaxValue
            ? "no software prefetch"
            : $"batched products over {ProductFromBytes >> 10} KiB of weights fetch the next panel, and the next rows they add into, into L2 ahead ({(X86Cpu.IsIntel ? "Intel" : "AMD Zen 5 and later")})";

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

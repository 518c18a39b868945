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
/// arithmetic (walking back made the 2 MiB int8 step at H = 512 7 % slower). Measured on an AMD Zen 5
/// (family 26 model 2, 1 MiB L2 per core; perf-results alternating-panels/): a sequence step's W_hh at
/// H = 256 (1 MiB) 1.47× faster, the paired LSTM step at H = 256 (2 MiB) 1.14×, at H = 512 (8 MiB) level;
/// the peer suite's one-thread LSTM step at H = 256 and 512 about 1.25× faster. Zen 4 keeps one order
/// until a run there shows it pays (its L3 reads nearly as fast as its L2). The arithmetic is the same
/// either way.
/// </remarks>
internal static class AlternatingPanels
{
    /// <summary>
    /// Weight bytes a thread streams in one step from which its steps alternate: the L2 of an Intel core or
    /// of an AMD core from Zen 5 (family 26) on, as CPUID gives it; long.MaxValue, never, elsewhere or where
    /// the size cannot be read.
    /// </summary>
    public static long FromBytes { get; } = X86Cpu.IsIntel || X86Cpu.IsAmdZen5OrLater ? X86Cpu.L2Bytes : long.MaxValue;

    /// <summary>What `fastrnn info` says of the choice.</summary>
    public static string Description =>
        FromBytes == long.MaxValue
            ? "every step first to last"
            : $"steps over {FromBytes >> 10} KiB of weights a thread (the L2) alternate direction ({(X86Cpu.IsIntel ? "Intel" : "AMD Zen 5 and later")})";

    /// <summary>The order for step <paramref name="step"/> of a thread that streams <paramref name="bytes"/> of weights in it.</summary>
    public static PanelOrder For(long bytes, long step) => For(bytes, step, FromBytes);

    /// <summary><see cref="For(long, long)"/> with the threshold given (tests).</summary>
    public static PanelOrder For(long bytes, long step, long fromBytes) =>
        bytes >= fromBytes && (step & 1) != 0 ? PanelOrder.Descending : PanelOrder.Ascending;
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.Intrinsics.X86;
using FastRnn.Benchmarks.Kernels;
using FastRnn.Kernels;

namespace FastRnn.Benchmarks.Peers.Report;

/// <summary>
/// A level of the memory hierarchy, with its size (L1 and L2: one core's; L3: the whole cache, shared by
/// cores) and the read bandwidth measured in the run.
/// </summary>
internal sealed record MemoryLevel(string Name, long Bytes, double GigabytesPerSecond);

/// <summary>
/// The limits of this core as the same run measured them: multiply-add peak per vector path
/// (<see cref="FmaPeakBenchmarks"/>), the time to read a buffer of each workload's weight size
/// (<see cref="WeightReadBenchmarks"/>), and read bandwidth per cache level (CacheBandwidthBenchmarks,
/// with the cache sizes from /sys) for the summary.
/// </summary>
internal sealed class MachineLimits
{
    private readonly Dictionary<SimdPath, double> peak; // GFLOP/s per path, one core
    private readonly Dictionary<long, double> readNs;   // ns to read a buffer of this many bytes

    private MachineLimits(Dictionary<SimdPath, double> peak, Dictionary<long, double> readNs, List<MemoryLevel> levels)
    {
        this.peak = peak;
        this.readNs = readNs;
        Levels = levels;
    }

    /// <summary>L1, L2, L3 and memory, each with a measured bandwidth (levels the run did not measure are left out).</summary>
    public IReadOnlyList<MemoryLevel> Levels { get; }

    /// <summary>Multiply-add peak of one core on <paramref name="path"/> in GFLOP/s, or null when not measured.</summary>
    public double? PeakGflops(SimdPath path) => peak.TryGetValue(path, out double g) ? g : null;

    /// <summary>
    /// How long reading <paramref name="bytes"/> takes: the measured read of a buffer of exactly that
    /// size, else the bandwidth of the smallest level that holds it; null when neither was measured.
    /// </summary>
    public (double Ns, string How)? Read(long bytes)
    {
        if (readNs.TryGetValue(bytes, out double ns))
        {
            return (ns, $"read at {bytes / ns:0} GB/s");
        }

        MemoryLevel? level = LevelFor(bytes);
        return level is null ? null : (bytes / level.GigabytesPerSecond, $"from {level.Name} at {level.GigabytesPerSecond:0} GB/s");
    }

    /// <summary>The smallest level that holds <paramref name="bytes"/> (memory when none does).</summary>
    public MemoryLevel? LevelFor(long bytes) => Levels.FirstOrDefault(l => bytes <= l.Bytes) ?? (Levels.Count > 0 ? Levels[^1] : null);

    public static MachineLimits From(IEnumerable<BdnRow> fmaRows, IEnumerable<BdnRow> weightReadRows, IEnumerable<BdnRow> bandwidthRows)
    {
        var readNs = new Dictionary<long, double>();
        foreach (BdnRow r in weightReadRows)
        {
            if (long.TryParse(r["KiB"], NumberStyles.Integer, CultureInfo.InvariantCulture, out long kib) && r.MeanNs is double ns)
            {
                readNs[kib * 1024] = ns;
            }
        }

        var peak = new Dictionary<SimdPath, double>();
        foreach (BdnRow r in fmaRows)
        {
            if (IsaJobs.PathOf(r.Job) is SimdPath path && r.MeanNs is double ns)
            {
                peak[path] = 2.0 * Isa.WidthOf(path) / ns; // flops per ns = GFLOP/s
            }
        }

        (long l1, long l2, long l3) = CacheSizes();
        var measured = new List<(long Buffer, double GBs)>();
        foreach (BdnRow r in bandwidthRows)
        {
            if (long.TryParse(r["KiB"], NumberStyles.Integer, CultureInfo.InvariantCulture, out long kib) && r.MeanNs is double ns)
            {
                measured.Add((kib * 1024, kib * 1024 / ns));
            }
        }

        var levels = new List<MemoryLevel>();
        long below = 0;
        foreach ((string name, long size) in new[] { ("L1", l1), ("L2", l2), ("L3", l3), ("memory", long.MaxValue) })
        {
            // The largest buffer that fits this level but not the one below measures it.
            var fits = measured.Where(m => m.Buffer <= size && m.Buffer > below).OrderByDescending(m => m.Buffer).ToList();
            if (fits.Count > 0)
            {
                levels.Add(new MemoryLevel(name, size, fits[0].GBs));
            }

            below = size;
        }

        return new MachineLimits(peak, readNs, levels);
    }

    /// <summary>
    /// L1d, L2 and L3 in bytes from /sys, else from CPUID (some VMs have no cache folder in /sys), else
    /// Zen 4's sizes (32 KiB, 1 MiB, 32 MiB; on AMD the L3 always, the 32 MiB of one core complex).
    /// </summary>
    internal static (long L1, long L2, long L3) CacheSizes()
    {
        long l1 = 32 * 1024, l2 = 1024 * 1024, l3 = 32L * 1024 * 1024;
        const string root = "/sys/devices/system/cpu/cpu0/cache";
        if (!Directory.Exists(root))
        {
            return CpuIdCacheSizes(l1, l2, l3);
        }

        foreach (string index in Directory.GetDirectories(root, "index*"))
        {
            string level = ReadText(Path.Combine(index, "level"));
            string type = ReadText(Path.Combine(index, "type"));
            long? size = ParseSize(ReadText(Path.Combine(index, "size")));
            if (size is null || type == "Instruction")
            {
                continue;
            }

            switch (level)
            {
                case "1":
                    l1 = size.Value;
                    break;
                case "2":
                    l2 = size.Value;
                    break;
                case "3":
                    l3 = size.Value;
                    break;
            }
        }

        return (l1, l2, l3);
    }

    // CPUID. AMD: L1d in KiB in leaf 0x80000005 ECX[31:24], L2 in KiB in leaf 0x80000006 ECX[31:16] (the L3
    // there is the whole package's, not the one core complex's a core reads: the default stays). Intel: leaf 4
    // lists the caches, type in EAX[4:0] (0: no more, 2: instruction), level in EAX[7:5], size =
    // ways × partitions × line × sets, each stored minus one.
    private static (long L1, long L2, long L3) CpuIdCacheSizes(long l1, long l2, long l3)
    {
        if (!X86Base.IsSupported)
        {
            return (l1, l2, l3);
        }

        (int highest, int vendorB, int vendorC, int vendorD) = X86Base.CpuId(0, 0);
        if (vendorB == 0x68747541 && vendorD == 0x69746e65 && vendorC == 0x444d4163)
        {
            if ((uint)X86Base.CpuId(unchecked((int)0x80000000), 0).Eax >= 0x80000006)
            {
                long l1Kib = (uint)X86Base.CpuId(unchecked((int)0x80000005), 0).Ecx >> 24;
                long l2Kib = (uint)X86Base.CpuId(unchecked((int)0x80000006), 0).Ecx >> 16;
                l1 = l1Kib > 0 ? l1Kib * 1024 : l1;
                l2 = l2Kib > 0 ? l2Kib * 1024 : l2;
            }

            return (l1, l2, l3);
        }

        for (int index = 0; highest >= 4 && index < 16; index++)
        {
            (int eax, int ebx, int ecx, _) = X86Base.CpuId(4, index);
            int type = eax & 0x1F;
            if (type == 0)
            {
                break;
            }

            long bytes = (((ebx >> 22) & 0x3FF) + 1L) * (((ebx >> 12) & 0x3FF) + 1L) * ((ebx & 0xFFF) + 1L) * ((uint)ecx + 1L);
            switch (type == 2 ? 0 : (eax >> 5) & 0x7)
            {
                case 1:
                    l1 = bytes;
                    break;
                case 2:
                    l2 = bytes;
                    break;
                case 3:
                    l3 = bytes;
                    break;
            }
        }

        return (l1, l2, l3);
    }

    private static string ReadText(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : string.Empty;

    // "32K", "1024K", "32768K", "2M"
    private static long? ParseSize(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        long unit = char.ToUpperInvariant(text[^1]) switch { 'K' => 1024, 'M' => 1024 * 1024, _ => 1 };
        string digits = unit == 1 ? text : text[..^1];
        return long.TryParse(digits, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n * unit : null;
    }
}

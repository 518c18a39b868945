using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using FastRnn.Memory;
using Xunit;

namespace FastRnn.Tests.Memory;

/// <summary>
/// Large buffers (weights beyond the L2, batched workspaces) ask Linux for huge pages before their
/// first touch, and are still zeroed and aligned like every other buffer.
/// </summary>
public sealed class HugePageTests
{
    private const string ThpSetting = "/sys/kernel/mm/transparent_hugepage/enabled";

    [Fact]
    public void LargeBufferIsZeroedAndAligned()
    {
        var buffer = new AlignedBuffer((int)(HugePages.MinimumBytes / sizeof(float)) + 1000);
        Assert.Equal((int)(HugePages.MinimumBytes / sizeof(float)) + 1000, buffer.Length);
        Assert.True(buffer.Span.IndexOfAnyExcept(0f) < 0, "a large buffer must start zeroed");
        Assert.Equal(0, AddressOf(buffer) & 63);
    }

    /// <summary>
    /// Where the kernel gives huge pages only to memory that asks (THP <c>madvise</c>), the
    /// buffer's range must carry the advice (the <c>hg</c> flag of its mapping) and hold huge pages:
    /// this fails if the buffer stops asking (no flag, no huge page) or asks only after its pages
    /// were touched (the flag, but every page already small). How many of its 2 MiB pages the kernel
    /// can find at once depends on how fragmented the machine's memory is (6 of 7 on a busy CI
    /// machine), so one is required, not all. With THP <c>always</c> every buffer gets them and this
    /// cannot tell; with <c>never</c>, or off Linux x64 (the ARM64 leg runs under emulation), it is skipped.
    /// </summary>
    [Fact]
    public void LargeBufferIsBackedByHugePagesWhereTheKernelGivesThemOnRequest()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64, "huge pages are checked on Linux x64 only");
        Assert.SkipUnless(File.Exists(ThpSetting) && File.ReadAllText(ThpSetting).Contains("[madvise]", StringComparison.Ordinal), $"{ThpSetting} is not [madvise]");

        var buffer = new AlignedBuffer((int)((16L << 20) / sizeof(float))); // 16 MiB: at least 7 whole 2 MiB pages inside
        long start = AddressOf(buffer);
        long end = start + (16L << 20);
        (long hugeKiB, bool advised) = HugePagesIn(start, end);
        Assert.True(advised, $"no mapping over [{start:x}, {end:x}) carries the huge-page advice (VmFlags hg in /proc/self/smaps)");
        Assert.True(hugeKiB >= 2048, $"expected huge pages in [{start:x}, {end:x}) (7 whole 2 MiB pages fit), /proc/self/smaps shows {hugeKiB} kB");
        GC.KeepAlive(buffer);
    }

    private static unsafe long AddressOf(AlignedBuffer buffer)
    {
        fixed (float* p = buffer.Span)
        {
            return (long)p;
        }
    }

    // The AnonHugePages of every mapping that overlaps [start, end), and whether one of them carries
    // the huge-page advice (madvise MADV_HUGEPAGE: "hg" among its VmFlags).
    private static (long KiB, bool Advised) HugePagesIn(long start, long end)
    {
        long total = 0;
        bool advised = false;
        bool inRange = false;
        foreach (string line in File.ReadLines("/proc/self/smaps"))
        {
            int dash = line.IndexOf('-', StringComparison.Ordinal);
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            if (dash > 0 && space > dash && long.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long low)
                && long.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long high))
            {
                inRange = low < end && high > start;
            }
            else if (inRange && line.StartsWith("AnonHugePages:", StringComparison.Ordinal))
            {
                total += long.Parse(line.AsSpan(14).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
            }
            else if (inRange && line.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                advised |= Array.IndexOf(line[8..].Split(' ', StringSplitOptions.RemoveEmptyEntries), "hg") >= 0;
            }
        }

        return (total, advised);
    }
}

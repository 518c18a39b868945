using System;
using FastRnn.Kernels;
using FsCheck.Xunit;
using Xunit;

namespace FastRnn.Tests.Kernels;

/// <summary>
/// The batched products' software prefetch (<see cref="Prefetch"/>) and the direction they walk their panels
/// (<see cref="PanelOrder"/>) move only when lines arrive: a product that fetches ahead from the first byte (its
/// next panel and, adding into its outputs, the next row block's outputs), or walks last to first, or both, equals
/// one that does neither, bit for bit, on every path, weight format and write mode, whatever this CPU's own choices are.
/// </summary>
public sealed class ProductPrefetchTests
{
    [Property(MaxTest = 80)]
    public bool ProductWithPrefetchOrWalkingBackwardEqualsThePlainProductBitForBit(
        int unitsPick, int columnsPick, int gatesPick, int batchPick, int formatPick, bool accumulate, int seed)
    {
        int units = TestSizes.Pick(unitsPick, minimum: 1);
        int columns = TestSizes.Pick(columnsPick, minimum: 1);
        int gates = new[] { 1, 2, 3, 4 }[(int)((uint)gatesPick % 4)];
        int batch = new[] { 1, 2, 3, 5, 8, 9, 17, 130 }[(int)((uint)batchPick % 8)]; // 130: two row chunks
        WeightFormat format = (WeightFormat)((uint)formatPick % 3);
        ProductWrite write = accumulate ? ProductWrite.Accumulate : ProductWrite.Overwrite;
        var random = new Random(seed);
        float[] w = RandomValues(random, gates * units * columns);
        float[] x = RandomValues(random, batch * columns);
        foreach (SimdPath path in SimdPaths.Available())
        {
            PackedMatrix packed = PackedMatrix.Pack(w, gates, units, columns, Isa.WidthOf(path), format);
            int stride = packed.PaddedRows + 1;
            float[] plain = RandomValues(random, batch * stride);
            float[] start = (float[])plain.Clone();
            PackedMatMul.ByShape(path, packed, x, columns, batch, plain, stride, write, prefetchFromBytes: long.MaxValue, PanelOrder.Ascending);
            foreach ((long prefetchFrom, PanelOrder order) in new[] { (0L, PanelOrder.Ascending), (long.MaxValue, PanelOrder.Descending), (0L, PanelOrder.Descending) })
            {
                float[] with = (float[])start.Clone();
                PackedMatMul.ByShape(path, packed, x, columns, batch, with, stride, write, prefetchFrom, order);
                for (int i = 0; i < plain.Length; i++)
                {
                    if (BitConverter.SingleToInt32Bits(plain[i]) != BitConverter.SingleToInt32Bits(with[i]))
                    {
                        throw new InvalidOperationException(
                            $"{path}, {format}, {write}, [{gates}×{units}, {columns}] × batch {batch}, prefetch from {prefetchFrom} B, {order}: element {i} is {with[i]:R}, plain {plain[i]:R}");
                    }
                }
            }
        }

        return true;
    }

    [Fact]
    public void IntelAndZen5CpusPrefetchOthersDoNotAndInfoSaysWhich()
    {
        (string? vendor, int family) = CpuInfoVendorAndFamily();
        bool canPrefetch = System.Runtime.Intrinsics.X86.Sse.IsSupported; // false off x86 and under DOTNET_EnableHWIntrinsic=0
        if (vendor == "AuthenticAMD" && family >= 26 && canPrefetch)
        {
            // From the core's L2 as CPUID gives it (the panel-order tests check that figure against Linux's).
            Assert.Equal(X86Cpu.L2Bytes, Prefetch.ProductFromBytes);
            Assert.True(Prefetch.ProductFromBytes is >= 256 << 10 and <= 64 << 20, $"prefetch from {Prefetch.ProductFromBytes} bytes");
        }
        else if (vendor is not null || !canPrefetch)
        {
            Assert.Equal(vendor == "GenuineIntel" && canPrefetch ? Prefetch.IntelFromBytes : long.MaxValue, Prefetch.ProductFromBytes);
        }

        Assert.Contains("Prefetch:       " + Prefetch.Description, CpuDescription.Summary(), StringComparison.Ordinal);
    }

    // The vendor and family as Linux reports them, read apart from the library's CPUID; null off x86 (an ARM64
    // process under qemu-user may read the x86 host's /proc/cpuinfo) and where /proc/cpuinfo is absent.
    private static (string? Vendor, int Family) CpuInfoVendorAndFamily()
    {
        if (System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture is not (System.Runtime.InteropServices.Architecture.X64 or System.Runtime.InteropServices.Architecture.X86)
            || !System.IO.File.Exists("/proc/cpuinfo"))
        {
            return (null, 0);
        }

        string? vendor = null;
        int family = 0;
        foreach (string line in System.IO.File.ReadLines("/proc/cpuinfo"))
        {
            string value = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            if (line.StartsWith("vendor_id", StringComparison.Ordinal))
            {
                vendor = value;
            }
            else if (line.StartsWith("cpu family", StringComparison.Ordinal))
            {
                family = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
            }
        }

        return (vendor, family);
    }

    private static float[] RandomValues(Random random, int n)
    {
        float[] values = new float[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = TestSizes.Value(random, allowHuge: false);
        }

        return values;
    }
}

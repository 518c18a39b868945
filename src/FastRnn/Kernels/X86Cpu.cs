using System.Runtime.Intrinsics.X86;

namespace FastRnn.Kernels;

/// <summary>
/// What CPUID says of an x86 CPU that the products' cache policies are chosen from (<see cref="Prefetch"/>,
/// <see cref="AlternatingPanels"/>): the vendor, the family and the L2 of one core. Off x86, and where the
/// runtime offers no CPUID (DOTNET_EnableHWIntrinsic=0), nothing is known: not Intel, not AMD, family 0, no L2.
/// </summary>
internal static class X86Cpu
{
    /// <summary>Whether this is an Intel CPU (CPUID leaf 0 spells the vendor in EBX, EDX, ECX: "Genu" "ineI" "ntel").</summary>
    public static bool IsIntel { get; } = VendorIs(0x756e6547, 0x49656e69, 0x6c65746e);

    /// <summary>Whether this is an AMD CPU ("Auth" "enti" "cAMD").</summary>
    public static bool IsAmd { get; } = VendorIs(0x68747541, 0x69746e65, 0x444d4163);

    /// <summary>
    /// The family as Linux prints it (CPUID leaf 1: the base family, plus the extended family where the base
    /// is 15): 6 for Intel's cores, 25 (0x19) for AMD Zen 3 and Zen 4, 26 (0x1A) for Zen 5; 0 where unknown.
    /// </summary>
    public static int Family { get; } = ReadFamily();

    /// <summary>
    /// Whether this is an AMD Zen 5 or later core (family 26 on): the AMD cores measured to gain from the
    /// cache policies set on Intel's (<see cref="AlternatingPanels"/>, <see cref="Prefetch"/>), where Zen 4 was not.
    /// </summary>
    public static bool IsAmdZen5OrLater => IsAmd && Family >= 26;

    /// <summary>Bytes of one core's L2 (Intel: CPUID leaf 4; AMD: leaf 0x80000006); long.MaxValue where unknown.</summary>
    public static long L2Bytes { get; } = IsIntel ? IntelL2Bytes() : IsAmd ? AmdL2Bytes() : long.MaxValue;

    private static bool VendorIs(int ebx, int edx, int ecx)
    {
        if (!X86Base.IsSupported)
        {
            return false;
        }

        (_, int b, int c, int d) = X86Base.CpuId(0, 0);
        return b == ebx && d == edx && c == ecx;
    }

    private static int ReadFamily()
    {
        if (!X86Base.IsSupported)
        {
            return 0;
        }

        int eax = X86Base.CpuId(1, 0).Eax;
        int family = (eax >> 8) & 0xF;
        return family == 0xF ? family + ((eax >> 20) & 0xFF) : family;
    }

    // Leaf 4 lists the caches: type in EAX[4:0] (0: no more, 2: instruction), level in EAX[7:5],
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

    // Leaf 0x80000006 gives the L2 in KiB in ECX[31:16] (where the highest extended leaf reaches it).
    private static long AmdL2Bytes()
    {
        if ((uint)X86Base.CpuId(unchecked((int)0x80000000), 0).Eax < 0x80000006)
        {
            return long.MaxValue;
        }

        long kib = (uint)X86Base.CpuId(unchecked((int)0x80000006), 0).Ecx >> 16;
        return kib == 0 ? long.MaxValue : kib << 10;
    }
}

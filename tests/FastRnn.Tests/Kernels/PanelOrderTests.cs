using System;
using System.IO;
using FastRnn.Kernels;
using FastRnn.Networks;
using FastRnn.Sessions;
using FsCheck.Xunit;
using Xunit;

namespace FastRnn.Tests.Kernels;

/// <summary>
/// Walking a product's panels last to first (<see cref="PanelOrder"/>) changes only which weights are still
/// in cache: a thread's range of panels equals the first-to-last walk bit for bit (whole products on every
/// path: <see cref="ProductPrefetchTests"/>; one stream's paired product: <see cref="RowPairProductTests"/>);
/// steps alternate only from the threshold
/// <see cref="AlternatingPanels"/> chose for this CPU (an Intel or Zen 5 core's L2, read apart here); and a session
/// whose steps alternate gives the same bits whichever direction each frame happens to get.
/// </summary>
public sealed class PanelOrderTests
{
    [Property(MaxTest = 60)]
    public bool AThreadsRangeOfPanelsWalkedBackwardWritesTheSameBitsAndNothingOutside(int unitsPick, int columnsPick, int gatesPick, int formatPick, int rangePick, int seed)
    {
        // How a thread's share of a step walks (the whole product both ways, every path: ProductPrefetchTests).
        int units = TestSizes.Pick(unitsPick, minimum: 1);
        int columns = TestSizes.Pick(columnsPick, minimum: 1);
        int gates = new[] { 1, 3, 4 }[(int)((uint)gatesPick % 3)];
        WeightFormat format = (WeightFormat)((uint)formatPick % 3);
        const int batch = 3;
        var random = new Random(seed);
        PackedMatrix packed = PackedMatrix.Pack(RandomValues(random, gates * units * columns), gates, units, columns, format);
        float[] x = RandomValues(random, batch * columns);
        int first = (int)((uint)rangePick % (uint)packed.Panels);
        int end = first + 1 + (int)((uint)(rangePick >> 8) % (uint)(packed.Panels - first));
        float[] ascending = new float[batch * packed.PaddedRows];
        float[] descending = new float[batch * packed.PaddedRows];
        Array.Fill(ascending, float.NaN);
        Array.Fill(descending, float.NaN);
        PackedMatMul.MultiplyPanels(packed, first, end, x, columns, batch, ascending, packed.PaddedRows, PanelOrder.Ascending);
        PackedMatMul.MultiplyPanels(packed, first, end, x, columns, batch, descending, packed.PaddedRows, PanelOrder.Descending);
        AssertBitsEqual(ascending, descending, $"panels [{first}, {end}) of {packed.Panels}, {format}, [{gates}×{units}, {columns}]");
        return true;
    }

    [Fact]
    public void StepsAlternateOnlyFromTheThresholdAndOnOddSteps()
    {
        const long from = 2L << 20;
        for (long step = 0; step < 6; step++)
        {
            Assert.Equal(PanelOrder.Ascending, AlternatingPanels.For(from - 1, step, from));
            Assert.Equal(step % 2 == 0 ? PanelOrder.Ascending : PanelOrder.Descending, AlternatingPanels.For(from, step, from));
            Assert.Equal(PanelOrder.Ascending, AlternatingPanels.For(long.MaxValue - 1, step, long.MaxValue));
        }
    }

    [Fact]
    public void IntelAndZen5CpusAlternateFromTheirL2OthersNeverAndInfoSaysWhich()
    {
        (string? vendor, int family, long? l2) = LinuxCpu();
        bool alternates = vendor == "GenuineIntel" || (vendor == "AuthenticAMD" && family >= 26);
        if (vendor is not null && !alternates)
        {
            Assert.Equal(long.MaxValue, AlternatingPanels.FromBytes);
        }
        else if (vendor is not null && l2 is not null)
        {
            Assert.Equal(l2.Value, AlternatingPanels.FromBytes);
        }
        else if (vendor is not null)
        {
            // Linux does not list the caches here (some virtual machines): CPUID's L2 must still be a core's.
            Assert.True(AlternatingPanels.FromBytes is >= 256 << 10 and <= 64 << 20,
                $"an L2 of {AlternatingPanels.FromBytes} bytes");
        }

        Assert.Contains("Panel order:    " + AlternatingPanels.Description, CpuDescription.Summary(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CellKind.RnnTanh, 512, 0)] // W_ih + W_hh: 2 MiB, paired in one pass
    [InlineData(CellKind.Gru, 320, 0)]     // 2.4 MiB in two products
    [InlineData(CellKind.Lstm, 256, 0)]    // 2 MiB, paired
    [InlineData(CellKind.Lstm, 288, 160)]  // with a projection, its own product after the epilogue
    public void ASessionGivesTheSameBitsWhicheverWayEachStepWalks(CellKind kind, int size, int projection)
    {
        var description = new NetworkDescription(kind, size, size) { ProjectionSize = projection };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, 7);
        int steps = 4, outputSize = description.StateSize;
        var random = new Random(11);
        float[] input = RandomValues(random, steps * size);
        float[] viaSequence = new float[steps * outputSize];
        network.Forward(network.CreateWorkspace(1, steps), input, steps, 1, viaSequence);

        // The same frames from step 0 and, after a step that is thrown away, from step 1: where this CPU
        // alternates, each frame is walked one way by one session and the other way by the other.
        StreamingSession fromEven = network.CreateSession();
        StreamingSession fromOdd = network.CreateSession();
        float[] discarded = new float[outputSize];
        fromOdd.Step(input.AsSpan(0, size), 1, discarded);
        fromOdd.Reset();
        float[] even = new float[outputSize], odd = new float[outputSize];
        for (int t = 0; t < steps; t++)
        {
            ReadOnlySpan<float> frame = input.AsSpan(t * size, size);
            fromEven.Step(frame, 1, even);
            fromOdd.Step(frame, 1, odd);
            AssertBitsEqual(even, odd, $"{kind} H = {size}, step {t}: from an even and an odd step count");
            AssertBitsEqual(viaSequence.AsSpan(t * outputSize, outputSize).ToArray(), even, $"{kind} H = {size}, step {t}: session and sequence");
        }
    }

    // The vendor, family and L2 of CPU 0 as Linux reports them, read apart from the library's CPUID; nulls off x86
    // and where /proc or /sys does not say.
    private static (string? Vendor, int Family, long? L2) LinuxCpu()
    {
        if (System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture is not (System.Runtime.InteropServices.Architecture.X64 or System.Runtime.InteropServices.Architecture.X86)
            || !File.Exists("/proc/cpuinfo") || !System.Runtime.Intrinsics.X86.X86Base.IsSupported)
        {
            return (null, 0, null);
        }

        string? vendor = null;
        int family = 0;
        foreach (string line in File.ReadLines("/proc/cpuinfo"))
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

        for (int index = 0; index < 8; index++)
        {
            string dir = $"/sys/devices/system/cpu/cpu0/cache/index{index}";
            if (!File.Exists($"{dir}/level") || File.ReadAllText($"{dir}/level").Trim() != "2" || File.ReadAllText($"{dir}/type").Trim() == "Instruction")
            {
                continue;
            }

            string size = File.ReadAllText($"{dir}/size").Trim(); // "2048K"
            long scale = size.EndsWith('K') ? 1024 : size.EndsWith('M') ? 1 << 20 : 1;
            return (vendor, family, long.Parse(size.TrimEnd('K', 'M'), System.Globalization.CultureInfo.InvariantCulture) * scale);
        }

        return (vendor, family, null);
    }

    private static void AssertBitsEqual(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                throw new InvalidOperationException($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R}");
            }
        }
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

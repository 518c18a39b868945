using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using FastRnn.Kernels;
using Xunit;

namespace FastRnn.Tests.Kernels;

/// <summary>
/// Each CI leg says which path it means to run; a leg that silently runs another fails here. The
/// expectations are computed from the runtime's own flags, never from <see cref="Isa"/>.
/// </summary>
public sealed class IsaPathTests(ITestOutputHelper output)
{
    private const string ExpectedPathVariable = "FASTRNN_EXPECT_SIMD_PATH";

    [Fact]
    public void ActivePathIsTheOneThisLegExpects()
    {
        string? expected = Environment.GetEnvironmentVariable(ExpectedPathVariable);
        if (string.IsNullOrEmpty(expected))
        {
            return; // a developer's run: the widest-path test below covers it
        }

        Assert.Equal(Enum.Parse<SimdPath>(expected), Isa.Active);
    }

    [Fact]
    public void TheDefaultLegRunsTheWidestPathTheRuntimeAccelerates()
    {
        // With ISA switches the runtime's flags follow the switches, so the widest accelerated path
        // is still the right choice; on the default leg it is also the widest this CPU has.
        Assert.Equal(WidestAccelerated(), Isa.Active);
        if (IsDefaultLeg())
        {
            Assert.NotEqual(SimdPath.Scalar, Isa.Active); // every CI and developer machine has at least SSE2 or NEON
            if (Avx2.IsSupported)
            {
                Assert.True(Isa.Active >= SimdPath.Vector256, $"the CPU has AVX2 but the active path is {Isa.Active}");
            }
        }
    }

    [Fact]
    public void WidthMatchesPath()
    {
        // Floats per vector of the widest accelerated type, from the runtime's vector types themselves.
        int expected = Vector512.IsHardwareAccelerated ? Vector512<float>.Count
            : Vector256.IsHardwareAccelerated ? Vector256<float>.Count
            : Vector128.IsHardwareAccelerated ? Vector128<float>.Count
            : 1;
        Assert.Equal(expected, Isa.FloatsPerVector);

        // Vector<T> is at most as wide as the active path and is accelerated exactly when some path is.
        Assert.Equal(Vector.IsHardwareAccelerated, Isa.Active != SimdPath.Scalar);
        if (Vector.IsHardwareAccelerated)
        {
            Assert.True(Vector<float>.Count <= Isa.FloatsPerVector, $"Vector<float> holds {Vector<float>.Count} floats, the active path {Isa.FloatsPerVector}");
        }
    }

    [Fact]
    public void ReportsTheKernelPathsThisMachineCannotRun()
    {
        // Not a check: CI logs say which kernels this leg left to the others (on a CPU without
        // AVX-512 nobody runs the 512-bit kernels, on x86 nobody runs the NEON int8 kernel).
        (string Kernel, bool Runs)[] kernels =
        [
            ("float kernels, Vector512", Vector512.IsHardwareAccelerated),
            ("float kernels, Vector256", Vector256.IsHardwareAccelerated),
            ("float kernels, Vector128", Vector128.IsHardwareAccelerated),
            ("float kernels, scalar", true),
            ("int8 kernel, AVX-512BW (Int8Dot512)", Vector512.IsHardwareAccelerated && Avx512BW.IsSupported),
            ("int8 kernel, AVX2 (Int8Dot256)", Vector256.IsHardwareAccelerated && Avx2.IsSupported),
            ("int8 kernel, AVX-VNNI (Int8Dot256Vnni)", Vector256.IsHardwareAccelerated && Avx2.IsSupported && AvxVnni.IsSupported),
            ("int8 kernel, SSE2 (Int8DotSse)", Vector128.IsHardwareAccelerated && Sse2.IsSupported && !AdvSimd.Arm64.IsSupported),
            ("int8 kernel, NEON (Int8DotNeon)", Vector128.IsHardwareAccelerated && AdvSimd.Arm64.IsSupported),
            ("int8 kernel, scalar (Int8DotScalar)", true),
            ("hardware fused multiply-add", Isa.HasHardwareFma),
        ];
        string[] notRun = [.. kernels.Where(k => !k.Runs).Select(k => k.Kernel)];
        string report = $"ISA path {Isa.Active}; kernel paths NOT run on this machine: {(notRun.Length == 0 ? "none" : string.Join("; ", notRun))}";
        output.WriteLine(report);
        Console.WriteLine(report);
    }

    [Fact]
    public void EachPathReportsTheInt8KernelThisCpuRuns()
    {
        // Restated from the runtime's flags, not from the selection itself.
        foreach (SimdPath path in SimdPaths.Available())
        {
            string expected = path switch
            {
                SimdPath.Vector512 => Avx512BW.IsSupported ? Int8Dot512.Name : PackedMatMul.FloatInt8KernelName,
                SimdPath.Vector256 => Avx2.IsSupported && AvxVnni.IsSupported ? Int8Dot256Vnni.Name : Avx2.IsSupported ? Int8Dot256.Name : PackedMatMul.FloatInt8KernelName,
                SimdPath.Vector128 => AdvSimd.Arm64.IsSupported ? Int8DotNeon.Name : Sse2.IsSupported ? Int8DotSse.Name : PackedMatMul.FloatInt8KernelName,
                _ => Int8DotScalar.Name,
            };
            Assert.Equal(expected, PackedMatMul.Int8KernelName(path));
        }

        string summary = CpuDescription.Summary();
        Assert.Contains($"Int8 kernel:    {PackedMatMul.Int8KernelName(Isa.Active)}", summary, StringComparison.Ordinal);
        Assert.Equal(Isa.Active == SimdPath.Vector256 && Avx2.IsSupported && AvxVnni.IsSupported, summary.Contains("vpdpwssd (AVX-VNNI", StringComparison.Ordinal));
        Assert.Equal(Isa.Active == SimdPath.Vector512 && AvxVnni.IsSupported, summary.Contains("256-bit path only", StringComparison.Ordinal));
    }

    private static SimdPath WidestAccelerated() =>
        Vector512.IsHardwareAccelerated ? SimdPath.Vector512
        : Vector256.IsHardwareAccelerated ? SimdPath.Vector256
        : Vector128.IsHardwareAccelerated ? SimdPath.Vector128
        : SimdPath.Scalar;

    private static bool IsDefaultLeg() =>
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ExpectedPathVariable)) && !IsaSwitches().Any();

    /// <summary>DOTNET_Enable*/COMPlus_Enable* switches set to 0 (for example DOTNET_EnableAVX512=0).</summary>
    private static IEnumerable<string> IsaSwitches() =>
        Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .Select(e => ((string)e.Key, e.Value as string))
            .Where(e => (e.Item1.StartsWith("DOTNET_Enable", StringComparison.OrdinalIgnoreCase) || e.Item1.StartsWith("COMPlus_Enable", StringComparison.OrdinalIgnoreCase)) && e.Item2 == "0")
            .Select(e => $"{e.Item1}=0")
            .Order(StringComparer.Ordinal);
}

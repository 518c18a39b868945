using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace FastRnn.Kernels;

/// <summary>What the process runs on: CPU model, ISA path and vector width, for `fastrnn info` and reports.</summary>
public static class CpuDescription
{
    /// <summary>
    /// The CPU model name with its family and model numbers where /proc/cpuinfo gives them
    /// (virtual machines often report only a brand, so the numbers tell generations apart).
    /// </summary>
    public static string ModelName { get; } = ReadModelName();

    /// <summary>A filesystem-friendly form of <see cref="ModelName"/>, used for perf-results folders.</summary>
    public static string FolderName
    {
        get
        {
            var chars = ModelName.ToCharArray();
            for (int i = 0; i < chars.Length; i++)
            {
                if (!char.IsLetterOrDigit(chars[i]) && chars[i] != '-')
                {
                    chars[i] = '-';
                }
            }

            return new string(chars).Trim('-').Replace("--", "-", StringComparison.Ordinal);
        }
    }

    /// <summary>One line per fact: CPU, architecture, logical cores, ISA path, floats per vector, FMA, the int8 kernel, the products' prefetch and panel order.</summary>
    public static string Summary()
    {
        string summary =
            $"CPU:            {ModelName}{Environment.NewLine}" +
            $"Architecture:   {RuntimeInformation.ProcessArchitecture}, {Environment.ProcessorCount} logical cores{Environment.NewLine}" +
            $"Runtime:        {RuntimeInformation.FrameworkDescription}{Environment.NewLine}" +
            $"ISA path:       {Isa.Active}{Environment.NewLine}" +
            $"Vector width:   {Isa.FloatsPerVector} floats ({Isa.FloatsPerVector * 32} bits){Environment.NewLine}" +
            $"Hardware FMA:   {(Isa.HasHardwareFma ? "yes" : "no")}{Environment.NewLine}" +
            $"Int8 kernel:    {PackedMatMul.Int8KernelName(Isa.Active)}{Int8Note()}{Environment.NewLine}" +
            $"Prefetch:       {Prefetch.Description}{Environment.NewLine}" +
            $"Panel order:    {AlternatingPanels.Description}";
        string? hint = NarrowerPathHint();
        return hint is null ? summary : summary + Environment.NewLine + hint;
    }

    /// <summary>
    /// The widest path the CPU itself offers, from the operating system's view of it (Linux
    /// <c>/proc/cpuinfo</c> flags), whatever this process runs; null where that view is not available.
    /// A Native AOT binary runs the path of the instruction set it was compiled for, and
    /// <c>DOTNET_EnableAVX512=0</c> and friends narrow a JIT process: both can run below this.
    /// </summary>
    public static SimdPath? WidestPathOfCpu { get; } = ReadWidestPath();

    /// <summary>
    /// A line saying how to get the CPU's widest path when this process runs a narrower one, or null
    /// when it already runs it (or the CPU's view is unavailable).
    /// </summary>
    /// <returns>The hint, or null.</returns>
    public static string? NarrowerPathHint()
    {
        if (WidestPathOfCpu is not SimdPath widest || Isa.WidthOf(widest) <= Isa.FloatsPerVector)
        {
            return null;
        }

        string why = System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported
            ? "a DOTNET_Enable* setting narrows this process"
            : "this Native AOT binary was compiled for a narrower instruction set; publish it with -p:IlcInstructionSet=native "
              + $"(or {(widest == SimdPath.Vector512 ? "x86-64-v4" : "x86-64-v3")} for a fleet of such CPUs)";
        return $"CPU offers:     {widest}, wider than the path in use: {why}.";
    }

    // AVX-VNNI present but unused: .NET 10 has no 512-bit vpdpwssd, and the 256-bit one serves the 256-bit path only.
    private static string Int8Note() =>
        Isa.Active == SimdPath.Vector512 && System.Runtime.Intrinsics.X86.AvxVnni.IsSupported
            ? "; the CPU's AVX-VNNI (vpdpwssd) serves the 256-bit path only (DOTNET_EnableAVX512=0): .NET 10 has no 512-bit form"
            : string.Empty;

    private static SimdPath? ReadWidestPath()
    {
        try
        {
            if (!File.Exists("/proc/cpuinfo"))
            {
                return null;
            }

            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    continue;
                }

                string key = line[..colon].Trim();
                if (key is not ("flags" or "Features"))
                {
                    continue;
                }

                var flags = new HashSet<string>(line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);

                // What the runtime requires to accelerate each width (Vector512: AVX-512 F, BW, CD, DQ and VL).
                if (flags.Contains("avx512f") && flags.Contains("avx512bw") && flags.Contains("avx512cd") && flags.Contains("avx512dq") && flags.Contains("avx512vl"))
                {
                    return SimdPath.Vector512;
                }

                if (flags.Contains("avx2"))
                {
                    return SimdPath.Vector256;
                }

                return flags.Contains("sse2") || flags.Contains("asimd") ? SimdPath.Vector128 : SimdPath.Scalar;
            }
        }
        catch (IOException)
        {
            // Unreadable cpuinfo: no view of the CPU.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }

        return null;
    }

    private static string ReadModelName()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                string? name = null, family = null, model = null;
                foreach (string line in File.ReadLines("/proc/cpuinfo"))
                {
                    int colon = line.IndexOf(':', StringComparison.Ordinal);
                    if (colon <= 0)
                    {
                        if (name is not null)
                        {
                            break; // End of the first processor's block.
                        }

                        continue;
                    }

                    string key = line[..colon].Trim();
                    string value = line[(colon + 1)..].Trim();
                    if (key is "model name" or "Model")
                    {
                        name ??= value;
                    }
                    else if (key == "cpu family")
                    {
                        family ??= value;
                    }
                    else if (key == "model")
                    {
                        model ??= value;
                    }
                }

                if (name is not null)
                {
                    return family is null ? name : $"{name} family {family} model {model}";
                }
            }
        }
        catch (IOException)
        {
            // Unreadable cpuinfo: fall back to the architecture below.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }

        return $"unknown {RuntimeInformation.ProcessArchitecture} CPU";
    }
}

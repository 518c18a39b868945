using System;
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

    /// <summary>One line per fact: CPU, architecture, logical cores, ISA path, floats per vector, FMA.</summary>
    public static string Summary() =>
        $"CPU:            {ModelName}{Environment.NewLine}" +
        $"Architecture:   {RuntimeInformation.ProcessArchitecture}, {Environment.ProcessorCount} logical cores{Environment.NewLine}" +
        $"Runtime:        {RuntimeInformation.FrameworkDescription}{Environment.NewLine}" +
        $"ISA path:       {Isa.Active}{Environment.NewLine}" +
        $"Vector width:   {Isa.FloatsPerVector} floats ({Isa.FloatsPerVector * 32} bits){Environment.NewLine}" +
        $"Hardware FMA:   {(Isa.HasHardwareFma ? "yes" : "no")}";

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

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime;
using System.Text;
using FastRnn.IO;
using FastRnn.Kernels;
using FastRnn.Networks;
using FastRnn.Sessions;

namespace FastRnn.Benchmarks.Memory;

/// <summary>
/// What a serving process holds for one network in each weight format: a 2-layer LSTM with
/// I = H = 1024 (67 MB of float32 matrices) saved once, then loaded in a fresh process per
/// format, with and without the canonical float32 matrices (inferenceOnly), stepped, and measured
/// after a full compacting collection: the process's resident set (VmRSS) and the managed heap.
/// A process that loads nothing gives the runtime's own share. Writes memory.md.
/// </summary>
internal static class ResidentMemory
{
    private const int Size = 1024;
    private const int Layers = 2;

    private static readonly (string Label, WeightFormat Format, bool InferenceOnly)[] Cases =
    [
        ("fp32", WeightFormat.Float32, false),
        ("fp32, inference only", WeightFormat.Float32, true),
        ("bf16", WeightFormat.BFloat16, false),
        ("bf16, inference only", WeightFormat.BFloat16, true),
        ("int8", WeightFormat.Int8, false),
        ("int8, inference only", WeightFormat.Int8, true),
    ];

    /// <summary>Runs every case in its own process and writes <paramref name="outputFolder"/>/memory.md.</summary>
    public static int Run(string outputFolder)
    {
        string file = Path.Combine(Path.GetTempPath(), $"fastrnn-memory-{Environment.ProcessId}.safetensors");
        try
        {
            var d = new NetworkDescription(CellKind.Lstm, Size, Size) { NumLayers = Layers };
            NetworkFile.Save(RecurrentNetwork.CreateRandom(d, 1), file);
            (long rss, long heap) runtime = Child(file, "none", inferenceOnly: false);
            var rows = new List<string>();
            foreach ((string label, WeightFormat format, bool inferenceOnly) in Cases)
            {
                (long rss, long heap) = Child(file, format.ToString(), inferenceOnly);
                RecurrentNetwork probe = NetworkFile.Load(file, format, inferenceOnly);
                rows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"| {label} | {probe.WeightBytes / 1e6:F1} | {rss / 1e6:F1} | {(rss - runtime.rss) / 1e6:F1} | {heap / 1e6:F1} |"));
                Console.Error.WriteLine(rows[^1]);
            }

            var md = new StringBuilder();
            md.AppendLine(CultureInfo.InvariantCulture, $"# Resident memory per weight format: {CpuDescription.ModelName}");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"An LSTM with input and hidden size {Size}, {Layers} layers, loaded from a network file in a fresh process");
            md.AppendLine("per row (`NetworkFile.Load(path, format, inferenceOnly)`), one streaming step, then a full compacting");
            md.AppendLine("collection (`GCCollectionMode.Aggressive`). RSS is the process's VmRSS; \"over the runtime\" subtracts a");
            md.AppendLine(CultureInfo.InvariantCulture, $"process that loads nothing ({runtime.rss / 1e6:F1} MB). Measured with `dotnet run -c Release --project benchmarks/FastRnn.Benchmarks -- memory`");
            md.AppendLine(CultureInfo.InvariantCulture, $"on {DateTime.UtcNow:yyyy-MM-dd}, .NET {Environment.Version}, ISA path {Isa.Active}.");
            md.AppendLine();
            md.AppendLine("| weights | packed weight MB | RSS MB | over the runtime MB | managed heap MB |");
            md.AppendLine("|---|---:|---:|---:|---:|");
            foreach (string row in rows)
            {
                md.AppendLine(row);
            }

            Directory.CreateDirectory(outputFolder);
            string target = Path.Combine(outputFolder, "memory.md");
            File.WriteAllText(target, md.ToString());
            Console.WriteLine(md.ToString());
            Console.Error.WriteLine($"wrote {target}");
            return 0;
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The child: loads (unless FORMAT is none), steps once, collects, prints "RSS HEAP" in bytes.</summary>
    public static int RunChild(string file, string format, bool inferenceOnly)
    {
        RecurrentNetwork? network = null;
        if (format != "none")
        {
            network = NetworkFile.Load(file, Enum.Parse<WeightFormat>(format), inferenceOnly);
            StreamingSession session = network.CreateSession();
            session.Step(new float[Size], 1, new float[Size]);
        }

        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        long heap = GC.GetTotalMemory(forceFullCollection: false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ResidentBytes()} {heap}"));
        GC.KeepAlive(network);
        return 0;
    }

    private static (long Rss, long Heap) Child(string file, string format, bool inferenceOnly)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ResidentMemory).Assembly.Location);
        }

        foreach (string arg in new[] { "memory-child", file, format, inferenceOnly ? "inference-only" : "canonical" })
        {
            start.ArgumentList.Add(arg);
        }

        using Process child = Process.Start(start)!;
        string output = child.StandardOutput.ReadToEnd().Trim();
        child.WaitForExit();
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"memory-child {format} exited with {child.ExitCode}: {output}");
        }

        string[] parts = output.Split(' ');
        return (long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    private static long ResidentBytes()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new PlatformNotSupportedException("No VmRSS in /proc/self/status: the memory measurement reads Linux's process status.");
    }
}

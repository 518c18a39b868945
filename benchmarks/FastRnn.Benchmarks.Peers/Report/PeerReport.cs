using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using FastRnn.Benchmarks.Kernels;
using FastRnn.Kernels;

namespace FastRnn.Benchmarks.Peers.Report;

/// <summary>
/// `report RESULTS OUT`: reads BenchmarkDotNet's CSV reports of one peer-suite run (RESULTS is its
/// results folder) and writes OUT/peers.md (FastRnn ÷ best peer and FastRnn ÷ bound per workload,
/// the ISA-path and thread comparisons, every target of the performance issue checked) and
/// OUT/peers.png (the chart), with copies of BenchmarkDotNet's CSV and GitHub reports in OUT/peers-bdn/.
/// Bounds come from limits measured in the same run (<see cref="MachineLimits"/>). Run it on the
/// machine that ran the benchmarks: cache sizes and peer versions are read from this machine.
/// </summary>
internal static class PeerReport
{
    private const string CsvSuffix = "-report.csv";
    private const string MarkdownSuffix = "-report-github.md";
    private const string Streaming = "FastRnn.Benchmarks.Peers.StreamingPeerBenchmarks";
    private const string Sequence = "FastRnn.Benchmarks.Peers.SequencePeerBenchmarks";
    private const string Training = "FastRnn.Benchmarks.Peers.TrainingPeerBenchmarks";
    private const string IsaPaths = "FastRnn.Benchmarks.Peers.IsaPathBenchmarks";
    private const string FmaPeak = "FastRnn.Benchmarks.Peers.FmaPeakBenchmarks";
    private const string WeightRead = "FastRnn.Benchmarks.Peers.WeightReadBenchmarks";
    private const string Bandwidth = "FastRnn.Benchmarks.Bounds.CacheBandwidthBenchmarks";

    public static int Run(string resultsFolder, string outputFolder)
    {
        string[] csvFiles = Directory.Exists(resultsFolder) ? Directory.GetFiles(resultsFolder, "FastRnn.Benchmarks.*" + CsvSuffix) : [];
        if (csvFiles.Length == 0)
        {
            Console.Error.WriteLine($"No FastRnn.Benchmarks.*{CsvSuffix} in {resultsFolder}: run the peer benchmarks first.");
            return 1;
        }

        var reports = csvFiles.ToDictionary(f => Path.GetFileName(f)[..^CsvSuffix.Length], BdnCsv.Read, StringComparer.Ordinal);
        List<BdnRow> Rows(string name) => reports.TryGetValue(name, out List<BdnRow>? rows) ? rows : [];
        MachineLimits limits = MachineLimits.From(Rows(FmaPeak), Rows(WeightRead), Rows(Bandwidth));
        SimdPath widest = Isa.Active;

        List<WorkloadResult> streaming = StreamingResults(Rows(Streaming), limits);
        List<WorkloadResult> sequences = SequenceResults(Rows(Sequence), limits);
        List<WorkloadResult> training = TrainingResults(Rows(Training), limits);
        List<WorkloadResult> all = [.. streaming, .. sequences, .. training];
        List<TargetCheck> targets = Targets(streaming, sequences, training);

        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# FastRnn beside ONNX Runtime and libtorch: {CpuDescription.ModelName}").AppendLine();
        md.AppendLine("```").AppendLine(CpuDescription.Summary().TrimEnd()).AppendLine(PeerVersions()).AppendLine("```").AppendLine();
        string? environment = BenchmarkEnvironment(resultsFolder);
        if (environment is not null)
        {
            md.AppendLine("BenchmarkDotNet's view of the machine:").AppendLine().AppendLine("```").AppendLine(environment).AppendLine("```").AppendLine();
        }

        md.AppendLine("One thread for every library unless a row says otherwise (ONNX Runtime: intra-op threads, sequential execution;");
        md.AppendLine("libtorch: `set_num_threads`; FastRnn: workspace/session threads). The same weights everywhere, each peer's output");
        md.AppendLine("checked against FastRnn's before timing. **÷ best peer** is FastRnn's mean time over the fastest peer's (below 1:");
        md.AppendLine("FastRnn is faster); **÷ bound** is FastRnn's time over the limit of this core measured in the same run (1: at the limit).");
        md.AppendLine("`torch cell` is nn.LSTMCell/GRUCell/RNNCell, `torch layer` nn.LSTM/GRU/RNN. I = H throughout.").AppendLine();
        md.AppendLine("![FastRnn, peers and bound per workload](peers.png)").AppendLine();

        AppendLimits(md, limits, widest);
        AppendTable(md, "Streaming step, batch 1", "Bound: the time this core takes to read the weight bytes W_ih + W_hh (G·H·(I+H)·4) once, measured on a buffer of that size.", streaming);
        AppendTable(md, "Sequence, T = 100", "Bound: batch 1, the input product of all steps at the FMA peak plus one read of W_hh per step; batch 64, 2·T·B·G·H·(I+H) flops at the FMA peak (× threads).", sequences);
        AppendTable(md, "Training step, LSTM, B = 32, T = 50", "Bound: the six products (3 × the forward's flops, 6·T·B·G·H·(I+H)) at the FMA peak (× threads).", training);
        AppendThreads(md, streaming, sequences, training);
        AppendIsaPaths(md, Rows(IsaPaths), widest);
        AppendAllocation(md, reports);
        AppendTargets(md, targets);

        Directory.CreateDirectory(outputFolder);
        string raw = Path.Combine(outputFolder, "peers-bdn");
        Directory.CreateDirectory(raw);
        foreach (string file in csvFiles)
        {
            File.Copy(file, Path.Combine(raw, Path.GetFileName(file)), overwrite: true);
            string markdown = file[..^CsvSuffix.Length] + MarkdownSuffix;
            if (File.Exists(markdown))
            {
                File.Copy(markdown, Path.Combine(raw, Path.GetFileName(markdown)), overwrite: true);
            }
        }

        PeerChart.Write(Path.Combine(outputFolder, "peers.png"), all, CpuDescription.ModelName);
        string target = Path.Combine(outputFolder, "peers.md");
        File.WriteAllText(target, md.ToString());
        int missed = targets.Count(t => t.Met != true);
        Console.WriteLine($"Wrote {target} and peers.png from {csvFiles.Length} reports: {targets.Count - missed} of {targets.Count} targets met.");
        return 0;
    }

    private static List<WorkloadResult> StreamingResults(List<BdnRow> rows, MachineLimits limits)
    {
        var results = new List<WorkloadResult>();
        foreach (var group in rows.GroupBy(r => (Cell: r["Cell"], Hidden: int.Parse(r["Hidden"], CultureInfo.InvariantCulture), Threads: ThreadsOf(r)))
            .OrderBy(g => CellOrder(g.Key.Cell)).ThenBy(g => g.Key.Hidden).ThenBy(g => g.Key.Threads))
        {
            int gates = WorkCounts.Gates(group.Key.Cell);
            long bytes = WorkCounts.StepWeightBytes(gates, group.Key.Hidden);
            (double Ns, string How)? read = group.Key.Threads == 1 ? limits.Read(bytes) : null;
            string note = group.Key.Threads != 1 ? "one core's read bound does not apply" : read is null ? "bandwidth not measured" : $"{Bytes(bytes)} {read.Value.How}";
            results.Add(Result("step", $"{CellName(group.Key.Cell)} H={group.Key.Hidden}{ThreadText(group.Key.Threads)}", group, read?.Ns, note));
        }

        return results;
    }

    // Reports from before the streaming benchmark had a Threads parameter ran one thread.
    private static int ThreadsOf(BdnRow row) => row["Threads"] is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : 1;

    private static string ThreadText(int threads) => threads == 1 ? string.Empty : $", {threads} threads";

    private static List<WorkloadResult> SequenceResults(List<BdnRow> rows, MachineLimits limits)
    {
        const int steps = SequencePeerBenchmarks.Steps;
        double? peak = limits.PeakGflops(Isa.Active);
        var results = new List<WorkloadResult>();
        foreach (var group in rows.GroupBy(r => (Cell: r["Cell"], Shape: SequenceShape.Parse(r["Shape"]))).OrderBy(g => CellOrder(g.Key.Cell)).ThenBy(g => g.Key.Shape.Batch).ThenBy(g => g.Key.Shape.Hidden).ThenBy(g => g.Key.Shape.Threads))
        {
            (int batch, int hidden, int threads) = group.Key.Shape;
            int gates = WorkCounts.Gates(group.Key.Cell);
            double? bound = null;
            string note = "FMA peak not measured";
            if (peak is double p && batch == 1)
            {
                long recurrent = WorkCounts.RecurrentWeightBytes(gates, hidden);
                if (limits.Read(recurrent) is (double readNs, string how))
                {
                    double input = WorkCounts.InputProductFlops(steps, 1, gates, hidden) / p;
                    bound = input + (steps * readNs);
                    note = $"input product at {p:0} GFLOP/s + {steps} × {Bytes(recurrent)} {how}";
                }
            }
            else if (peak is double q)
            {
                double flops = WorkCounts.SequenceFlops(steps, batch, gates, hidden);
                bound = flops / (q * threads);
                note = $"{flops / 1e9:0.00} GFLOP at {q * threads:0} GFLOP/s";
            }

            results.Add(Result("sequence", $"{CellName(group.Key.Cell)} B={batch} H={hidden}{ThreadText(threads)}", group, threads == 1 || batch > 1 ? bound : null, threads == 1 || batch > 1 ? note : "one core's read bound does not apply"));
        }

        return results;
    }

    private static List<WorkloadResult> TrainingResults(List<BdnRow> rows, MachineLimits limits)
    {
        double? peak = limits.PeakGflops(Isa.Active);
        var results = new List<WorkloadResult>();
        foreach (var group in rows.GroupBy(r => (Hidden: int.Parse(r["Hidden"], CultureInfo.InvariantCulture), Threads: int.Parse(r["Threads"], CultureInfo.InvariantCulture))).OrderBy(g => g.Key.Hidden).ThenBy(g => g.Key.Threads))
        {
            double flops = WorkCounts.TrainingFlops(TrainingPeerBenchmarks.Steps, TrainingPeerBenchmarks.Batch, 4, group.Key.Hidden);
            double? bound = peak is double p ? flops / (p * group.Key.Threads) : null;
            string threadText = group.Key.Threads == 1 ? string.Empty : $", {group.Key.Threads} threads";
            results.Add(Result("training", $"LSTM B={TrainingPeerBenchmarks.Batch} H={group.Key.Hidden}{threadText}", group, bound, peak is double q ? $"{flops / 1e9:0.00} GFLOP at {q * group.Key.Threads:0} GFLOP/s" : "FMA peak not measured"));
        }

        return results;
    }

    private static WorkloadResult Result(string group, string label, IEnumerable<BdnRow> rows, double? bound, string note)
    {
        BdnRow? ours = rows.FirstOrDefault(r => r.Method == "FastRnn");
        return new WorkloadResult
        {
            Group = group,
            Label = label,
            FastRnnNs = ours?.MeanNs,
            FastRnnAllocatesNothing = ours?.AllocatesNothing ?? false,
            Peers = [.. rows.Where(r => r.Method != "FastRnn").Select(r => new PeerTime(PeerName(r.Method), r.MeanNs))],
            BoundNs = bound,
            BoundNote = note,
        };
    }

    private static List<TargetCheck> Targets(List<WorkloadResult> streaming, List<WorkloadResult> sequences, List<WorkloadResult> training)
    {
        var checks = new List<TargetCheck>();
        foreach (WorkloadResult r in streaming.Where(r => !r.Label.Contains("threads", StringComparison.Ordinal)))
        {
            int hidden = HiddenOf(r.Label);
            string w = "step " + r.Label;
            checks.Add(Faster(w, r, hidden <= 128 ? 3.0 : 1.0));
            checks.Add(Bound(w, r, hidden <= 128 ? 1.5 : 1.2));
        }

        // Two threads over one: one stream shares each step's products by output rows (gains with H),
        // a batch shares its sequences (1.8× at every size).
        foreach ((string group, List<WorkloadResult> rows) in new[] { ("step", streaming), ("sequence", sequences) })
        {
            foreach (WorkloadResult two in rows.Where(r => r.Label.EndsWith(", 2 threads", StringComparison.Ordinal)))
            {
                string baseLabel = two.Label[..^", 2 threads".Length];
                WorkloadResult? one = rows.FirstOrDefault(r => r.Label == baseLabel);
                int hidden = HiddenOf(baseLabel);
                bool batched = group == "sequence" && !baseLabel.Contains("B=1 ", StringComparison.Ordinal);
                double factor = batched || hidden >= 512 ? 1.8 : hidden >= 256 ? 1.3 : 0.97;
                double? speedup = one?.FastRnnNs / two.FastRnnNs;
                string target = factor >= 1 ? $"≥ {factor:0.0}× faster on 2 threads than on 1" : "not slower on 2 threads than on 1 (0.97×: run-to-run noise)";
                checks.Add(new TargetCheck($"{group} {two.Label}", target, Times(speedup), speedup is double x ? x >= factor : null));
                if (hidden >= 512 && !batched)
                {
                    checks.Add(Faster($"{group} {two.Label}", two, 1.0));
                }
            }
        }

        foreach (WorkloadResult r in sequences.Where(r => r.Label.Contains("B=1 ", StringComparison.Ordinal) && !r.Label.Contains("threads", StringComparison.Ordinal)))
        {
            checks.Add(Faster("sequence " + r.Label, r, r.Label.EndsWith("H=64", StringComparison.Ordinal) ? 2.0 : 1.2));
        }

        // Batched work (issue #19): near the FMA bound of the path on 1 and 2 threads, and ahead of every peer.
        foreach (WorkloadResult r in sequences.Where(r => !r.Label.Contains("B=1 ", StringComparison.Ordinal)).Concat(training))
        {
            bool two = r.Label.EndsWith(", 2 threads", StringComparison.Ordinal);
            checks.Add(Faster($"{r.Group} {r.Label}", r, 1.0));
            checks.Add(Bound($"{r.Group} {r.Label}", r, two ? 1.35 : 1.25));
        }

        checks.Add(new TargetCheck("every FastRnn row", "0 bytes allocated per operation", $"{streaming.Concat(sequences).Concat(training).Count(r => r.FastRnnAllocatesNothing)} of {streaming.Count + sequences.Count + training.Count} rows allocate nothing", streaming.Concat(sequences).Concat(training).All(r => r.FastRnnAllocatesNothing)));
        return checks;
    }

    private static int HiddenOf(string label)
    {
        int at = label.IndexOf("H=", StringComparison.Ordinal) + 2;
        int end = at;
        while (end < label.Length && char.IsAsciiDigit(label[end]))
        {
            end++;
        }

        return int.Parse(label[at..end], CultureInfo.InvariantCulture);
    }

    // Best peer ÷ FastRnn must reach `factor` (strictly above 1 for "faster", at least 1 for "as fast").
    private static TargetCheck Faster(string workload, WorkloadResult r, double factor, bool strict = true)
    {
        double? speedup = r.RatioToBestPeer is double ratio ? 1 / ratio : null;
        string target = factor > 1 ? $"≥ {factor:0.0#}× faster than the best peer" : strict ? "faster than the best peer" : "at least as fast as the best peer";
        bool? met = speedup is double s ? (factor > 1 ? s >= factor : strict ? s > 1 : s >= 1) : null;
        return new TargetCheck(workload, target, speedup is null ? "no result" : $"{Times(speedup)} ({r.BestPeer?.Name})", met);
    }

    private static TargetCheck Bound(string workload, WorkloadResult r, double factor) =>
        new(workload, $"≤ {factor:0.0#}× the bound", r.RatioToBound is double b ? $"{b:0.00}× ({r.BoundNote})" : "no bound", r.RatioToBound is double x ? x <= factor : null);

    private static void AppendLimits(StringBuilder md, MachineLimits limits, SimdPath widest)
    {
        md.AppendLine("## Limits of this core, measured in this run").AppendLine();
        md.AppendLine("| limit | value |").AppendLine("|---|---:|");
        foreach (SimdPath path in new[] { SimdPath.Vector512, SimdPath.Vector256, SimdPath.Vector128 })
        {
            if (limits.PeakGflops(path) is double g)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| multiply-add peak, {path}{(path == widest ? " (FastRnn's default path)" : string.Empty)} | {g:0.0} GFLOP/s |");
            }
        }

        foreach (MemoryLevel level in limits.Levels)
        {
            // L1 and L2 are each core's own; the L3 and memory are shared, one core reading them.
            string size = level.Bytes == long.MaxValue ? "beyond L3" : level.Name == "L3" ? Bytes(level.Bytes) + " shared" : Bytes(level.Bytes) + " per core";
            md.AppendLine(CultureInfo.InvariantCulture, $"| read bandwidth, {level.Name} ({size}) | {level.GigabytesPerSecond:0.0} GB/s |");
        }

        md.AppendLine().AppendLine("FmaPeakBenchmarks (12 independent FMA chains) and CacheBandwidthBenchmarks (a 64-byte aligned buffer read with the widest vectors, 8 accumulators) give these; a 2-thread bound doubles the one-core peak. The batch-1 bounds below use WeightReadBenchmarks instead: the same read of a buffer of exactly the workload's weight bytes.").AppendLine();
    }

    private static void AppendTable(StringBuilder md, string title, string boundText, List<WorkloadResult> results)
    {
        if (results.Count == 0)
        {
            return;
        }

        List<string> peers = [.. results.SelectMany(r => r.Peers.Select(p => p.Name)).Distinct()];
        md.AppendLine(CultureInfo.InvariantCulture, $"## {title}").AppendLine().AppendLine(boundText).AppendLine();
        md.AppendLine($"| workload | FastRnn | {string.Join(" | ", peers)} | best peer | ÷ best peer | bound | ÷ bound |");
        md.AppendLine($"|---|---:|{string.Concat(peers.Select(_ => "---:|"))}---|---:|---:|---:|");
        foreach (WorkloadResult r in results)
        {
            IEnumerable<string> cells = peers.Select(name => Time(r.Peers.FirstOrDefault(p => p.Name == name)?.Ns));
            md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Label} | {Time(r.FastRnnNs)} | {string.Join(" | ", cells)} | {r.BestPeer?.Name ?? "none"} | {Ratio(r.RatioToBestPeer)} | {Time(r.BoundNs)} ({r.BoundNote}) | {Ratio(r.RatioToBound)} |");
        }

        md.AppendLine();
    }

    private static void AppendThreads(StringBuilder md, List<WorkloadResult> streaming, List<WorkloadResult> sequences, List<WorkloadResult> training)
    {
        var pairs = new List<(string Name, WorkloadResult One, WorkloadResult Two)>();
        List<WorkloadResult> all = [.. streaming, .. sequences, .. training];
        foreach (WorkloadResult two in all.Where(r => r.Label.EndsWith(", 2 threads", StringComparison.Ordinal)))
        {
            string baseLabel = two.Label[..^", 2 threads".Length];
            WorkloadResult? one = all.FirstOrDefault(r => r.Group == two.Group && r.Label == baseLabel);
            if (one is not null)
            {
                pairs.Add(($"{two.Group} {baseLabel}", one, two));
            }
        }

        if (pairs.Count == 0)
        {
            return;
        }

        List<string> peers = [.. pairs.SelectMany(p => p.One.Peers.Select(x => x.Name)).Distinct()];
        md.AppendLine("## One thread and two").AppendLine();
        md.AppendLine("Speed-up = time on 1 thread ÷ time on 2 threads, per library.").AppendLine();
        md.AppendLine($"| workload | FastRnn 1 → 2 threads | FastRnn speed-up | {string.Join(" | ", peers.Select(p => p + " speed-up"))} |");
        md.AppendLine($"|---|---:|---:|{string.Concat(peers.Select(_ => "---:|"))}");
        foreach ((string name, WorkloadResult one, WorkloadResult two) in pairs)
        {
            IEnumerable<string> cells = peers.Select(p => Times(one.Peers.FirstOrDefault(x => x.Name == p)?.Ns / two.Peers.FirstOrDefault(x => x.Name == p)?.Ns));
            md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Time(one.FastRnnNs)} → {Time(two.FastRnnNs)} | {Times(one.FastRnnNs / two.FastRnnNs)} | {string.Join(" | ", cells)} |");
        }

        md.AppendLine();
    }

    private static void AppendIsaPaths(StringBuilder md, List<BdnRow> rows, SimdPath widest)
    {
        if (rows.Count == 0)
        {
            return;
        }

        List<string> jobs = [.. rows.Select(r => r.Job).Distinct().OrderByDescending(j => IsaJobs.PathOf(j) ?? SimdPath.Scalar)];
        md.AppendLine("## FastRnn on each vector path of this CPU").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"The same calls in processes started with DOTNET_EnableAVX512=0 (Vector256) and DOTNET_EnableAVX2=0 (Vector128); ratios are each path's time ÷ {widest}'s.").AppendLine();
        md.AppendLine($"| workload | {string.Join(" | ", jobs)} | {string.Join(" | ", jobs.Skip(1).Select(j => j + " ÷ " + jobs[0]))} |");
        md.AppendLine($"|---|{string.Concat(jobs.Select(_ => "---:|"))}{string.Concat(jobs.Skip(1).Select(_ => "---:|"))}");
        foreach (var group in rows.GroupBy(r => r["Workload"]))
        {
            double?[] times = [.. jobs.Select(j => group.FirstOrDefault(r => r.Job == j)?.MeanNs)];
            IEnumerable<string> ratios = times.Skip(1).Select(t => Ratio(t / times[0]));
            md.AppendLine(CultureInfo.InvariantCulture, $"| {group.Key} | {string.Join(" | ", times.Select(Time))} | {string.Join(" | ", ratios)} |");
        }

        md.AppendLine();
    }

    private static void AppendAllocation(StringBuilder md, Dictionary<string, List<BdnRow>> reports)
    {
        var fastRnn = reports.Where(r => r.Key.StartsWith("FastRnn.Benchmarks.Peers.", StringComparison.Ordinal))
            .SelectMany(r => r.Value.Where(row => row.Method == "FastRnn").Select(row => (Class: r.Key, Row: row))).ToList();
        int clean = fastRnn.Count(x => x.Row.AllocatesNothing);
        md.AppendLine("## Allocation").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"{clean} of {fastRnn.Count} FastRnn rows (every class, every path) allocate 0 bytes per operation (BenchmarkDotNet's `Allocated` column).");
        foreach ((string cls, BdnRow row) in fastRnn.Where(x => !x.Row.AllocatesNothing))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {cls[(cls.LastIndexOf('.') + 1)..]} {row["Cell"]}{row["Hidden"]}{row["Shape"]}{row["Workload"]} ({row.Job}): {row.Allocated}");
        }

        md.AppendLine();
    }

    private static void AppendTargets(StringBuilder md, List<TargetCheck> targets)
    {
        md.AppendLine("## Targets of the performance issue").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"{targets.Count(t => t.Met == true)} of {targets.Count} met.").AppendLine();
        md.AppendLine("| workload | target | measured | |").AppendLine("|---|---|---|---|");
        foreach (TargetCheck t in targets)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {t.Workload} | {t.Target} | {t.Measured} | {(t.Met switch { true => "met", false => "**missed**", null => "no figure" })} |");
        }

        md.AppendLine();
    }

    /// <summary>The versions of the peers as this machine loads them.</summary>
    private static string PeerVersions()
    {
        string ort = Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetVersionString();
        string? torchError = TorchNative.TryLoad();
        string torchText = torchError is null ? $"TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version}, libtorch {TorchSharp.torch.__version__}" : $"TorchSharp unavailable: {torchError}";
        return $"Peers:          ONNX Runtime {ort}; {torchText}";
    }

    /// <summary>The environment block BenchmarkDotNet prints at the top of its GitHub reports.</summary>
    private static string? BenchmarkEnvironment(string resultsFolder)
    {
        string? file = Directory.GetFiles(resultsFolder, "*" + MarkdownSuffix).OrderBy(f => f, StringComparer.Ordinal).FirstOrDefault();
        if (file is null)
        {
            return null;
        }

        string[] lines = File.ReadAllLines(file);
        int start = Array.FindIndex(lines, l => l.StartsWith("```", StringComparison.Ordinal));
        int end = start < 0 ? -1 : Array.FindIndex(lines, start + 1, l => l.StartsWith("```", StringComparison.Ordinal));
        return end > start ? string.Join(Environment.NewLine, lines[(start + 1)..end]) : null;
    }

    private static int CellOrder(string cell) => cell switch { "Lstm" => 0, "Gru" => 1, _ => 2 };

    private static string CellName(string cell) => cell switch { "Lstm" => "LSTM", "Gru" => "GRU", "RnnTanh" => "RNN", _ => cell };

    private static string PeerName(string method) => method switch
    {
        "OnnxRuntime" => "ONNX Runtime",
        "TorchCell" => "torch cell",
        "TorchLayer" => "torch layer",
        _ => method,
    };

    private static string Bytes(long bytes) => bytes >= 1024 * 1024
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.##} MiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.##} KiB");

    private static string Ratio(double? r) => r is double x ? x.ToString("0.00", CultureInfo.InvariantCulture) : "n/a";

    private static string Times(double? r) => r is double x ? x.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "n/a";

    /// <summary>A time in ns as the report prints it.</summary>
    internal static string Time(double? ns) => ns switch
    {
        null => "no result",
        < 1e3 => string.Create(CultureInfo.InvariantCulture, $"{ns.Value:0.0} ns"),
        < 1e6 => string.Create(CultureInfo.InvariantCulture, $"{ns.Value / 1e3:0.00} µs"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{ns.Value / 1e6:0.00} ms"),
    };
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using FastRnn.Kernels;
using ScottPlot;

namespace FastRnn.Benchmarks.Serving;

/// <summary>
/// <c>serving-report FOLDER</c>: reads FOLDER/loadtest.jsonl (one <c>fastrnn loadtest</c> JSON line
/// per run, tagged with its sweep by benchmarks/run-serving.sh) and writes FOLDER/loadtest.md (a
/// table per sweep, and the largest loopback load held at p99 ≤ 20 ms with nothing lost) and
/// FOLDER/loadtest-in-process.png and loadtest-loopback.png (answered stream-steps per second and p99
/// latency against the number of streams, one line per sweep).
/// </summary>
internal static class ServingReport
{
    /// <summary>The sweeps' first words, one chart each.</summary>
    private static readonly string[] Modes = ["in-process", "loopback"];

    /// <summary>The serving issue's latency budget for a 100-frames/s stream.</summary>
    private const double P99BudgetMs = 20;

    private sealed record Point(string Sweep, int Streams, double StepsPerSecond, double? MeanBatch, double P50, double P99, double Max,
        long Sent, long Answered, long Lost, long Skipped, bool Failed);

    public static int Run(string folder)
    {
        string source = Path.Combine(folder, "loadtest.jsonl");
        if (!File.Exists(source))
        {
            Console.Error.WriteLine($"{source} does not exist: run benchmarks/run-serving.sh first.");
            return 2;
        }

        var points = new List<Point>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(source))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                points.Add(Parse(line));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                Console.Error.WriteLine($"{source}:{lineNumber}: not a tagged loadtest line ({e.Message}).");
                return 1;
            }
        }

        if (points.Count == 0)
        {
            Console.Error.WriteLine($"{source} holds no runs.");
            return 1;
        }

        string[] sweeps = [.. points.Select(p => p.Sweep).Distinct()];
        File.WriteAllText(Path.Combine(folder, "loadtest.md"), Markdown(points, sweeps));
        foreach (string mode in Modes)
        {
            string[] ofMode = [.. sweeps.Where(s => s.StartsWith(mode, StringComparison.Ordinal))];
            if (ofMode.Length > 0)
            {
                Chart(Path.Combine(folder, $"loadtest-{mode}.png"), points, ofMode, mode);
            }
        }

        Console.WriteLine($"Wrote {Path.Combine(folder, "loadtest.md")} and its charts from {points.Count} runs in {sweeps.Length} sweeps.");
        return 0;
    }

    private static Point Parse(string line)
    {
        using JsonDocument json = JsonDocument.Parse(line);
        JsonElement r = json.RootElement;
        double? meanBatch = r.GetProperty("mean_batch").ValueKind == JsonValueKind.Number ? r.GetProperty("mean_batch").GetDouble() : null;
        return new Point(
            r.GetProperty("sweep").GetString() ?? throw new InvalidOperationException("sweep is null"),
            r.GetProperty("streams").GetInt32(),
            r.GetProperty("steps_per_s").GetDouble(),
            meanBatch,
            Number(r, "p50_ms"),
            Number(r, "p99_ms"),
            Number(r, "max_ms"),
            r.GetProperty("sent").GetInt64(),
            r.GetProperty("answered").GetInt64(),
            r.GetProperty("lost").GetInt64(),
            r.GetProperty("skipped").GetInt64(),
            r.TryGetProperty("failed", out JsonElement failed) && failed.GetBoolean());
    }

    private static double Number(JsonElement r, string name) =>
        r.GetProperty(name).ValueKind == JsonValueKind.Number ? r.GetProperty(name).GetDouble() : double.NaN;

    /// <summary>A loopback point is held when nothing was lost or skipped and p99 is within the budget.</summary>
    private static bool Held(Point p) => !p.Failed && p.Lost == 0 && p.Skipped == 0 && p.P99 <= P99BudgetMs;

    private static string Markdown(List<Point> points, string[] sweeps)
    {
        var md = new StringBuilder();
        string Fmt(double v, string format) => double.IsNaN(v) ? "—" : v.ToString(format, CultureInfo.InvariantCulture);
        md.AppendLine(CultureInfo.InvariantCulture, $"# Load test: {CpuDescription.ModelName} ({CpuDescription.FolderName}), {Isa.Active} path");
        md.AppendLine();
        md.AppendLine("Written by `benchmarks/run-serving.sh` (`fastrnn loadtest`; every row one run; the raw lines in loadtest.jsonl).");
        md.AppendLine("Model: LSTM I = 64, H = 256, one layer, Linear head to 16 classes with softmax, loaded as a PyTorch module.");
        md.AppendLine("In-process sweeps: always-ready streams (one frame in flight each). Loopback sweeps: each stream sends a");
        md.AppendLine("frame every 10 ms through FastRnn.Server (`--max-batch 256 --max-queue-delay-us 200`), load generator on the same cores,");
        md.AppendLine("one connection a stream (`/v1/stream`), or where the sweep says so, K streams a connection (`/v1/streams`,");
        md.AppendLine("`--streams-per-connection K`: one message of K frames per connection every 10 ms, as a gateway sends them).");
        md.AppendLine();
        foreach (string sweep in sweeps)
        {
            List<Point> rows = [.. points.Where(p => p.Sweep == sweep).OrderBy(p => p.Streams)];
            bool loopback = sweep.StartsWith("loopback", StringComparison.Ordinal);
            md.AppendLine(CultureInfo.InvariantCulture, $"## {sweep}");
            md.AppendLine();
            string mode = Array.Find(Modes, m => sweep.StartsWith(m, StringComparison.Ordinal)) ?? string.Empty;
            if (mode.Length > 0 && sweeps.First(s => s.StartsWith(mode, StringComparison.Ordinal)) == sweep)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"![{mode}: stream-steps per second and p99 latency against streams](loadtest-{mode}.png)");
                md.AppendLine();
            }

            md.AppendLine("| streams | stream-steps/s | mean batch | p50 ms | p99 ms | max ms | sent | answered | lost | skipped |" + (loopback ? " held |" : string.Empty));
            md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + (loopback ? "---|" : string.Empty));
            foreach (Point p in rows)
            {
                string batch = p.MeanBatch is double b ? b.ToString("0.0", CultureInfo.InvariantCulture) : "—";
                md.Append(CultureInfo.InvariantCulture,
                    $"| {p.Streams} | {p.StepsPerSecond:N0} | {batch} | {Fmt(p.P50, "0.00")} | {Fmt(p.P99, "0.00")} | {Fmt(p.Max, "0.00")} | {p.Sent:N0} | {p.Answered:N0} | {p.Lost:N0} | {p.Skipped:N0} |");
                md.AppendLine(loopback ? (Held(p) ? " yes |" : " no |") : string.Empty);
            }

            md.AppendLine();
            if (loopback)
            {
                Point? best = rows.Where(Held).OrderByDescending(p => p.Streams).FirstOrDefault();
                md.AppendLine(best is null
                    ? $"No point held p99 ≤ {P99BudgetMs} ms with nothing lost or skipped."
                    : $"Largest number of 100-frames/s streams held (p99 ≤ {P99BudgetMs} ms, nothing lost or skipped): **{best.Streams}** (p99 {best.P99:0.00} ms).");
                md.AppendLine();
            }
        }

        return md.ToString();
    }

    private static void Chart(string path, List<Point> points, string[] sweeps, string mode)
    {
        var plot = new Plot();
        Color[] palette = [Colors.SteelBlue, Colors.DarkOrange, Colors.SeaGreen, Colors.Crimson, Colors.MediumPurple, Colors.Sienna, Colors.DeepPink, Colors.Gray];
        for (int i = 0; i < sweeps.Length; i++)
        {
            List<Point> rows = [.. points.Where(p => p.Sweep == sweeps[i]).OrderBy(p => p.Streams)];
            double[] streams = [.. rows.Select(p => (double)p.Streams)];
            Color color = palette[i % palette.Length];
            var rate = plot.Add.Scatter(streams, [.. rows.Select(p => p.StepsPerSecond / 1000)]);
            rate.Color = color;
            rate.LineWidth = 2;
            rate.MarkerSize = 7;
            rate.LegendText = $"{sweeps[i]}: thousand steps/s (left)";
            var p99 = plot.Add.Scatter(streams, [.. rows.Select(p => Math.Log10(Math.Max(p.P99, 0.01)))]);
            p99.Color = color;
            p99.LineWidth = 1.5f;
            p99.LinePattern = LinePattern.Dashed;
            p99.MarkerShape = MarkerShape.OpenCircle;
            p99.MarkerSize = 7;
            p99.LegendText = $"{sweeps[i]}: p99 ms (right, log)";
            p99.Axes.YAxis = plot.Axes.Right;
        }

        // The right axis is log10(ms): ticks at 0.1 .. 1000 ms, and the 20 ms budget as a line.
        double[] ticks = [-1, 0, 1, Math.Log10(P99BudgetMs), 2, 3];
        plot.Axes.Right.SetTicks(ticks, [.. ticks.Select(t => Math.Pow(10, t).ToString("0.#", CultureInfo.InvariantCulture))]);
        var budget = plot.Add.HorizontalLine(Math.Log10(P99BudgetMs), 1, Colors.Black, LinePattern.Dotted);
        budget.Axes.YAxis = plot.Axes.Right;
        budget.LegendText = $"p99 budget {P99BudgetMs} ms";
        plot.Axes.Right.Label.Text = "p99 latency, ms (log scale, dashed)";
        plot.Axes.Left.Label.Text = "answered stream-steps per second, thousands (solid)";
        plot.XLabel("concurrent streams");
        plot.Title(mode == "loopback"
            ? $"fastrnn loadtest over loopback, 100 frames/s per stream, LSTM 64→256 + head 16 ({CpuDescription.FolderName})"
            : $"fastrnn loadtest in process, always-ready streams, LSTM 64→256 + head 16 ({CpuDescription.FolderName})");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 1400, 800);
    }
}

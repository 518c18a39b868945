using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;

namespace FastRnn.Cli.LoadTest;

/// <summary>
/// A run's figures: counts (sent = answered + lost; skipped frames were never sent), throughput
/// over the measured span, latency percentiles from send to answer, and how the streams ended;
/// written as a few lines for people and one JSON line for scripts.
/// </summary>
internal sealed record LoadTestReport
{
    public required string Mode { get; init; }

    public required string Address { get; init; }

    public required LoadTestSettings Settings { get; init; }

    /// <summary>Measured frames sent.</summary>
    public required long Sent { get; init; }

    /// <summary>Measured frames answered.</summary>
    public required long Answered { get; init; }

    /// <summary>Measured frames due while their stream's window was full: never sent.</summary>
    public required long Skipped { get; init; }

    /// <summary>Sent frames without an answer (the stream ended, or the run timed out).</summary>
    public long Lost => Sent - Answered;

    /// <summary>Answers per second over the measured span (first measured send to last answer); null without answers.</summary>
    public required double? StepsPerSecond { get; init; }

    public required double? MeanBatch { get; init; }

    public required float? P50Ms { get; init; }

    public required float? P95Ms { get; init; }

    public required float? P99Ms { get; init; }

    public required float? MaxMs { get; init; }

    /// <summary>The whole run, connecting and warm-up included.</summary>
    public required double ElapsedSeconds { get; init; }

    /// <summary>The span <see cref="StepsPerSecond"/> is over.</summary>
    public required double MeasuredSeconds { get; init; }

    public required bool TimedOut { get; init; }

    public required IReadOnlyDictionary<string, int> Closes { get; init; }

    public required IReadOnlyList<string> CloseReasons { get; init; }

    /// <summary>Writes what serves the streams as JSON (see <see cref="ILoadTarget.WriteModel"/>).</summary>
    public required Action<Utf8JsonWriter> WriteModel { get; init; }

    /// <summary>Whether every frame of every stream was answered: the command's exit code 0.</summary>
    public bool AllAnswered => Answered == (long)Settings.Streams * Settings.Frames;

    /// <summary>The lines for people.</summary>
    public void WriteSummary(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var c = CultureInfo.InvariantCulture;
        long expected = (long)Settings.Streams * Settings.Frames;
        output.WriteLine(string.Create(c, $"frames:   {Answered} of {expected} answered, {Lost} lost, {Skipped} skipped (due while {Settings.EffectiveWindow} were unanswered){(TimedOut ? $", stopped by the {Settings.TimeoutSeconds} s timeout" : string.Empty)}"));
        output.WriteLine(string.Create(c, $"rate:     {Format(StepsPerSecond, "F0")} steps/s over {MeasuredSeconds:F2} s (run {ElapsedSeconds:F2} s), mean batch {Format(MeanBatch, "F2")}"));
        output.WriteLine(string.Create(c, $"latency:  p50 {Format(P50Ms, "F3")} ms, p95 {Format(P95Ms, "F3")} ms, p99 {Format(P99Ms, "F3")} ms, max {Format(MaxMs, "F3")} ms (send to answer)"));
        if (Closes.Count > 0)
        {
            output.WriteLine($"closes:   {string.Join(", ", ClosesText())}");
        }

        foreach (string reason in CloseReasons)
        {
            output.WriteLine($"          {reason}");
        }
    }

    /// <summary>The JSON object, on one line.</summary>
    public string ToJson()
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("mode", Mode);
            w.WriteString(Mode == "url" ? "url" : "model_file", Address);
            w.WriteNumber("streams", Settings.Streams);
            if (Settings.StreamsPerConnection is int perConnection)
            {
                w.WriteNumber("streams_per_connection", perConnection);
            }
            else
            {
                w.WriteNull("streams_per_connection");
            }

            w.WriteNumber("frames", Settings.Frames);
            w.WriteNumber("warmup_frames", Settings.WarmupFrames);
            w.WriteNumber("interval_ms", Settings.IntervalMs);
            w.WriteNumber("window", Settings.EffectiveWindow);
            w.WriteNumber("seed", Settings.Seed);
            w.WriteNumber("sent", Sent);
            w.WriteNumber("answered", Answered);
            w.WriteNumber("lost", Lost);
            w.WriteNumber("skipped", Skipped);
            Number(w, "steps_per_s", StepsPerSecond, 1);
            Number(w, "mean_batch", MeanBatch, 3);
            Number(w, "p50_ms", P50Ms, 4);
            Number(w, "p95_ms", P95Ms, 4);
            Number(w, "p99_ms", P99Ms, 4);
            Number(w, "max_ms", MaxMs, 4);
            Number(w, "elapsed_s", ElapsedSeconds, 3);
            Number(w, "measured_s", MeasuredSeconds, 3);
            w.WriteBoolean("timed_out", TimedOut);
            w.WriteStartObject("closes");
            foreach ((string key, int count) in Closes)
            {
                w.WriteNumber(key, count);
            }

            w.WriteEndObject();
            w.WritePropertyName("model");
            WriteModel(w);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void Number(Utf8JsonWriter w, string name, double? value, int digits)
    {
        if (value is double v && double.IsFinite(v))
        {
            w.WriteNumber(name, Math.Round(v, digits));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static string Format(double? value, string format) =>
        value is double v ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    private IEnumerable<string> ClosesText()
    {
        foreach ((string key, int count) in Closes)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{key} ×{count}");
        }
    }
}

using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace FastRnn.Cli.LoadTest;

/// <summary>
/// One load test: opens every stream on the target (with streams per connection, every connection),
/// drives them all at once until each has sent its frames and had them answered, or until the
/// timeout, then gathers the figures.
/// </summary>
internal static class LoadTestRun
{
    public static async Task<LoadTestReport> RunAsync(LoadTestSettings settings, ILoadTarget target, LoadTestProgress progress)
    {
        var recorder = new LatencyRecorder(settings.Streams, settings.Frames);
        var drivers = new StreamDriver[settings.Connections];
        var tally = new CloseTally();
        long started = Stopwatch.GetTimestamp();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        using CancellationTokenRegistration abort = timeout.Token.Register(target.Abort);
        var connections = new Task[settings.Connections];
        for (int i = 0; i < connections.Length; i++)
        {
            drivers[i] = new StreamDriver(settings.FirstStreamOf(i), settings.StreamsOf(i), settings, recorder);
            connections[i] = RunConnectionAsync(i, drivers[i], settings, target, tally, timeout.Token);
        }

        Task all = Task.WhenAll(connections);
        await progress.ShowAsync(all, () => Figures(drivers, recorder, started));
        await all;
        foreach (StreamDriver d in drivers)
        {
            d.Dispose();
        }

        long sent = 0, answered = 0, skipped = 0, first = long.MaxValue, last = long.MinValue;
        foreach (StreamDriver d in drivers)
        {
            sent += d.Sent;
            answered += d.Answered;
            skipped += d.Skipped;
            if (d.Answered > 0)
            {
                first = Math.Min(first, d.FirstMeasuredAt);
                last = Math.Max(last, d.LastAnswerAt);
            }
        }

        double measured = answered > 0 ? Stopwatch.GetElapsedTime(first, last).TotalSeconds : 0;
        ReadOnlySpan<float> latencies = recorder.SortedMicroseconds();
        return new LoadTestReport
        {
            Mode = target.Mode,
            Address = target.Address,
            Settings = settings,
            Sent = sent,
            Answered = answered,
            Skipped = skipped,
            StepsPerSecond = measured > 0 ? answered / measured : null,
            MeanBatch = target.MeanBatch,
            P50Ms = Milliseconds(Percentiles.NearestRank(latencies, 0.50)),
            P95Ms = Milliseconds(Percentiles.NearestRank(latencies, 0.95)),
            P99Ms = Milliseconds(Percentiles.NearestRank(latencies, 0.99)),
            MaxMs = Milliseconds(Percentiles.NearestRank(latencies, 1.0)),
            ElapsedSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds,
            MeasuredSeconds = measured,
            TimedOut = timeout.IsCancellationRequested,
            Closes = tally.Counts,
            CloseReasons = tally.FirstReasons,
            WriteModel = target.WriteModel,
        };
    }

    /// <summary>Opens connection <paramref name="index"/> (a stream, or a connection's streams), drives it, closes it and counts how each of its streams ended.</summary>
    private static async Task RunConnectionAsync(int index, StreamDriver driver, LoadTestSettings settings, ILoadTarget target, CloseTally tally, CancellationToken timeout)
    {
        int streams = settings.StreamsOf(index);
        LoadStream stream;
        try
        {
            stream = await target.OpenAsync(index, timeout);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            tally.Add("timeout", "the run's timeout came before the stream was open", early: true, streams);
            return;
        }
        catch (InvalidOperationException e)
        {
            tally.Add("failed", e.Message, early: true, streams);
            return;
        }

        await using (stream)
        {
            bool closed = false;
            if (stream.EndKey is null)
            {
                // Independent clients do not start in step: spread the clocks over one interval.
                TimeSpan delay = TimeSpan.FromMilliseconds(settings.IntervalMs * (double)index / settings.Connections);
                await driver.RunAsync(stream, delay, timeout);
                if (stream.EndKey is null && !timeout.IsCancellationRequested)
                {
                    await stream.CloseAsync(timeout);
                    closed = true;
                }
            }

            if (!closed && stream.EndKey is null)
            {
                stream.EndEarly("timeout", $"the run's timeout ({settings.TimeoutSeconds} s) came before the stream was done");
            }

            tally.Add(stream, streams);
        }
    }

    private static ProgressFigures Figures(StreamDriver[] drivers, LatencyRecorder recorder, long started)
    {
        long sent = 0, answered = 0;
        foreach (StreamDriver d in drivers)
        {
            sent += d.Sent;
            answered += d.Answered;
        }

        return new ProgressFigures(Stopwatch.GetElapsedTime(started), sent, answered, recorder.LiveMilliseconds(0.99));
    }

    private static float? Milliseconds(float? micros) => micros / 1000;
}

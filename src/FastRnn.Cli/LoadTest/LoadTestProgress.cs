using System;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;
using Spectre.Console;

namespace FastRnn.Cli.LoadTest;

/// <summary>
/// The progress of a run on standard error: a live Spectre.Console line redrawn four times a second
/// on a terminal, else a plain line every five seconds (so a run in a script or a pipe still shows
/// it is alive without flooding a log). Standard output stays for the summary and the JSON line.
/// </summary>
internal sealed class LoadTestProgress(TextWriter error, bool live)
{
    private static readonly TimeSpan LiveEvery = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan PlainEvery = TimeSpan.FromSeconds(5);

    /// <summary>A live line when <paramref name="error"/> is this process's terminal, plain lines otherwise.</summary>
    public static LoadTestProgress For(TextWriter error) =>
        new(error, ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Ansi && AnsiConsole.Profile.Capabilities.Interactive);

    /// <summary>Shows <paramref name="read"/>'s figures until <paramref name="run"/> completes.</summary>
    public async Task ShowAsync(Task run, Func<ProgressFigures> read)
    {
        var rate = new RateMeter();
        if (!live)
        {
            while (await Task.WhenAny(run, Task.Delay(PlainEvery)) != run)
            {
                await error.WriteLineAsync(Describe(read(), rate));
            }

            return;
        }

        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        await console.Live(new Text(string.Empty)).AutoClear(false).StartAsync(async context =>
        {
            do
            {
                context.UpdateTarget(new Text(Describe(read(), rate)));
                context.Refresh();
            }
            while (await Task.WhenAny(run, Task.Delay(LiveEvery)) != run);
            context.UpdateTarget(new Text(Describe(read(), rate)));
        });
    }

    private static string Describe(ProgressFigures f, RateMeter rate) => string.Create(
        CultureInfo.InvariantCulture,
        $"{f.Elapsed.TotalSeconds,6:F1} s  sent {f.Sent,9}  answered {f.Answered,9}  {rate.Next(f),8:F0} steps/s  p99 {(f.P99Ms is double p ? p.ToString("F2", CultureInfo.InvariantCulture) : "-"),7} ms");

    /// <summary>Answers per second since the previous line.</summary>
    private sealed class RateMeter
    {
        private long answered;
        private TimeSpan at;

        public double Next(ProgressFigures f)
        {
            double seconds = (f.Elapsed - at).TotalSeconds;
            double value = seconds > 0 ? (f.Answered - answered) / seconds : 0;
            answered = f.Answered;
            at = f.Elapsed;
            return value;
        }
    }
}

/// <summary>What the progress line shows: the run's time, measured frames sent and answered, and the live p99 estimate.</summary>
internal readonly record struct ProgressFigures(TimeSpan Elapsed, long Sent, long Answered, double? P99Ms);

using System;
using System.Globalization;
using FastRnn.Cli.Tasks;
using FastRnn.Training;
using Spectre.Console;

namespace FastRnn.Cli.Output;

/// <summary>
/// Shows a training run's progress (epoch, batch, loss, throughput): a live Spectre.Console progress
/// bar with one line per finished epoch above it on a terminal, and only the plain line per epoch
/// when the output is redirected to a file or a pipe (or the terminal cannot redraw).
/// </summary>
internal static class TrainingProgressDisplay
{
    /// <summary>Runs <paramref name="train"/>, showing the progress it reports.</summary>
    /// <param name="train">Trains, calling the given callback after every batch.</param>
    /// <returns>What <paramref name="train"/> returned.</returns>
    public static TaskResult Run(Func<Action<TrainingProgress>, TaskResult> train)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Ansi || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            return train(p =>
            {
                if (p.Batch == p.Batches)
                {
                    Console.WriteLine(Describe(p));
                }
            });
        }

        return AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask bar = context.AddTask("training", maxValue: 1);
                TaskResult result = train(p => Update(bar, p));
                bar.Value = bar.MaxValue; // Early stopping ends a run before its last epoch.
                return result;
            });
    }

    private static void Update(ProgressTask bar, TrainingProgress p)
    {
        bar.MaxValue = (double)p.Epochs * p.Batches;
        bar.Value = ((double)(p.Epoch - 1) * p.Batches) + p.Batch;
        bar.Description = Markup.Escape(Describe(p));
        if (p.Batch == p.Batches)
        {
            AnsiConsole.WriteLine(Describe(p));
        }
    }

    /// <summary>
    /// One line: <c>epoch 3/20 batch 40/40 batch loss 0.1234 val 0.1300 12,345 ex/s</c>: the loss of the
    /// last batch (the summary and the plot show each epoch's mean).
    /// </summary>
    internal static string Describe(TrainingProgress p)
    {
        string validation = float.IsNaN(p.ValidationLoss) ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" val {p.ValidationLoss:F4}");
        return string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch}/{p.Epochs} batch {p.Batch}/{p.Batches} batch loss {p.Loss:F4}{validation} {p.ExamplesPerSecond:N0} ex/s");
    }
}

using System;
using System.Globalization;
using FastRnn.Training;

namespace FastRnn.Cli.Commands;

/// <summary>
/// A live one-line progress bar (epoch, batch, loss, throughput) on a terminal; one line per
/// epoch when the output is redirected to a file or a pipe.
/// </summary>
internal sealed class ProgressLine
{
    private const int BarWidth = 24;
    private readonly bool live = !Console.IsOutputRedirected;
    private long lastDraw;

    public void Report(TrainingProgress p)
    {
        bool epochEnd = p.Batch == p.Batches;
        if (!live)
        {
            if (epochEnd)
            {
                Console.WriteLine(Describe(p));
            }

            return;
        }

        long now = Environment.TickCount64;
        if (!epochEnd && now - lastDraw < 100)
        {
            return; // Redraw at most ten times a second.
        }

        lastDraw = now;
        int filled = (int)((long)BarWidth * p.Batch / p.Batches);
        string bar = new string('#', filled) + new string('.', BarWidth - filled);
        string line = string.Create(CultureInfo.InvariantCulture, $"\r[{bar}] {Describe(p)}");
        Console.Write(line.PadRight(Math.Min(Console.BufferWidth > 0 ? Console.BufferWidth - 1 : 120, 120)));
        if (epochEnd)
        {
            Console.WriteLine();
        }
    }

    private static string Describe(TrainingProgress p) => string.Create(
        CultureInfo.InvariantCulture,
        $"epoch {p.Epoch}/{p.Epochs} batch {p.Batch}/{p.Batches} loss {p.Loss:F4}{(float.IsNaN(p.ValidationLoss) ? string.Empty : $" val {p.ValidationLoss:F4}")} {p.ExamplesPerSecond:N0} ex/s");
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using FastRnn.Cli.Tasks;
using FastRnn.Networks;
using FastRnn.Training;

namespace FastRnn.Cli.Commands;

/// <summary>
/// <c>fastrnn train TASK [--cell lstm|gru|rnn|rnn-relu] [--epochs N] [--hidden H] [--steps T] [--seed S]
/// [--quick] [--plot loss.png] [--save model.safetensors]</c>.
/// </summary>
internal static class TrainCommand
{
    public const string Usage = "fastrnn train moving-average|char-lm|pattern|reverse [--cell lstm|gru|rnn|rnn-relu] [--epochs N] [--hidden H] [--steps T] [--seed S] [--quick] [--plot loss.png] [--save model.safetensors]";

    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "--quick" };

    public static int Run(ReadOnlySpan<string> args)
    {
        try
        {
            var line = new CommandLine(args, Flags);
            if (line.Positional.Count != 1)
            {
                return Fail($"name one task. Usage: {Usage}");
            }

            var options = new TaskOptions
            {
                Cell = ParseCell(line.Text("--cell")),
                Epochs = line.Integer("--epochs", 1, 10_000),
                Hidden = line.Integer("--hidden", 1, 4096),
                Steps = line.Integer("--steps", 2, 100_000),
                Seed = line.Integer("--seed", 0, int.MaxValue) ?? 1,
                Quick = line.Flag("--quick"),
            };
            string? plot = line.Text("--plot");
            string? save = line.Text("--save");
            line.RejectUnknown();
            Func<TaskOptions, Action<TrainingProgress>?, TaskResult> task = Find(line.Positional[0]);

            Console.WriteLine($"Training '{line.Positional[0]}' ({Kernels.Isa.Active}, {Environment.ProcessorCount} cores)...");
            var progress = new ProgressLine();
            TaskResult result = task(options, progress.Report);
            Print(result);
            if (plot is not null)
            {
                LossPlot.Write(plot, $"{result.Task} ({result.Cell})", result.Summary.TrainLoss, result.Summary.ValidationLoss);
                Console.WriteLine($"plot:     {plot}");
            }

            if (save is not null)
            {
                Checkpoint.Save(save, result.Parameters, result.Metadata);
                Console.WriteLine($"saved:    {save}");
            }

            return 0;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            return Fail(e.Message);
        }
    }

    public static Func<TaskOptions, Action<TrainingProgress>?, TaskResult> Find(string name) => name switch
    {
        MovingAverageTask.Name => MovingAverageTask.Run,
        CharLmTask.Name => CharLmTask.Run,
        PatternTask.Name => PatternTask.Run,
        ReverseTask.Name => ReverseTask.Run,
        _ => throw new FormatException($"unknown task '{name}'; tasks: {MovingAverageTask.Name}, {CharLmTask.Name}, {PatternTask.Name}, {ReverseTask.Name}"),
    };

    public static CellKind? ParseCell(string? text) => text switch
    {
        null => null,
        "lstm" => CellKind.Lstm,
        "gru" => CellKind.Gru,
        "rnn" or "rnn-tanh" => CellKind.RnnTanh,
        "rnn-relu" => CellKind.RnnRelu,
        _ => throw new FormatException($"--cell must be lstm, gru, rnn or rnn-relu, got '{text}'"),
    };

    public static void Print(TaskResult result)
    {
        TrainingSummary s = result.Summary;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"task:     {result.Task} ({result.Cell})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epochs:   {s.TrainLoss.Count}{(s.StoppedEarly ? " (stopped early)" : string.Empty)}, best {s.BestEpoch}, {s.Elapsed.TotalSeconds:F1} s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loss:     first epoch {s.TrainLoss[0]:F4} -> last {s.TrainLoss[^1]:F4}{(s.ValidationLoss.Count > 0 ? $" (validation {s.ValidationLoss[^1]:F4})" : string.Empty)}"));
        Console.WriteLine($"result:   {result.Metric}");
        double fp32 = result.MetricWith(Kernels.WeightFormat.Float32);
        double bf16 = result.MetricWith(Kernels.WeightFormat.BFloat16);
        double int8 = result.MetricWith(Kernels.WeightFormat.Int8);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"weights:  {result.RawMetricName} with fp32 {fp32:G4}, bf16 {bf16:G4} ({Change(bf16, fp32)}), int8 {int8:G4} ({Change(int8, fp32)})"));
        foreach (string note in result.Notes)
        {
            Console.WriteLine($"          {note}");
        }
    }

    private static string Change(double value, double reference) =>
        string.Create(CultureInfo.InvariantCulture, $"{(value - reference) / Math.Abs(reference):+0.00%;-0.00%;0.00%}");

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"fastrnn train: {message}");
        return 1;
    }
}

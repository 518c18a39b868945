using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using FastRnn.Cli.Output;
using FastRnn.Cli.Plotting;
using FastRnn.Cli.Tasks;
using FastRnn.IO;
using FastRnn.Kernels;
using FastRnn.Networks;
using FastRnn.Training;
using Spectre.Console;

namespace FastRnn.Cli.Commands;

/// <summary>
/// <c>fastrnn train TASK [--cell lstm|gru|rnn|rnn-relu] [--epochs N] [--hidden H] [--steps T] [--seed S]
/// [--quick] [--plot loss.png] [--save model.safetensors]</c>.
/// </summary>
internal static class TrainCommand
{
    private const int DefaultSeed = 1;

    /// <summary>The built-in tasks by name.</summary>
    private static readonly Dictionary<string, Func<TaskOptions, Action<TrainingProgress>?, TaskResult>> Tasks = new(StringComparer.Ordinal)
    {
        [MovingAverageTask.Name] = MovingAverageTask.Run,
        [CharLmTask.Name] = CharLmTask.Run,
        [PatternTask.Name] = PatternTask.Run,
        [ReverseTask.Name] = ReverseTask.Run,
    };

    /// <summary>The tasks whose sequence length <c>--steps</c> sets; the others have a length of their own.</summary>
    private static readonly string[] TasksWithSteps = [PatternTask.Name];

    /// <summary>The <c>train</c> command.</summary>
    public static CliCommand Create()
    {
        string taskNames = string.Join(", ", Tasks.Keys);
        var task = new Argument<string>("TASK") { Description = $"The task to train: {taskNames}." };
        task.Validators.Add(result =>
        {
            string name = result.GetValueOrDefault<string>();
            if (!Tasks.ContainsKey(name))
            {
                result.AddError($"unknown task '{name}'; tasks: {taskNames}");
            }
        });
        Option<CellKind?> cell = CliOptions.Parsed<CellKind>("--cell", "lstm|gru|rnn|rnn-relu", "The recurrent cell (default: the task's).", "lstm, gru, rnn or rnn-relu", ParseCell);
        Option<int?> epochs = CliOptions.Integer("--epochs", "N", "Epochs (default: the task's).", 1, 10_000);
        Option<int?> hidden = CliOptions.Integer("--hidden", "H", "Hidden units (default: the task's).", 1, 4096);
        Option<int?> steps = CliOptions.Integer("--steps", "T", $"Sequence length, for the tasks that take one ({string.Join(", ", TasksWithSteps)}; default: the task's).", 2, PatternTask.MaxSteps);
        Option<int?> seed = CliOptions.Integer("--seed", "S", "Seed of data, weights and shuffling.", 0, int.MaxValue);
        seed.DefaultValueFactory = _ => DefaultSeed;
        var quick = new Option<bool>("--quick") { Description = "Smaller data and fewer epochs, for a first look." };
        var plot = new Option<string>("--plot") { HelpName = "loss.png", Description = "Write the train and validation loss per epoch as a PNG plot." };
        var save = new Option<string>("--save") { HelpName = "model.safetensors", Description = "Save the trained model (char-lm models feed 'fastrnn generate')." };
        var command = new CliCommand("train", "Train a built-in task with live progress, then print a summary.", FastRnnCommandLine.UsageErrorExitCode)
        {
            task,
            cell,
            epochs,
            hidden,
            steps,
            seed,
            quick,
            plot,
            save,
        };
        command.Validators.Add(result =>
        {
            string? plotPath = result.GetValue(plot), savePath = result.GetValue(save);
            CliOptions.AddError(result, savePath is null ? null : CliPaths.FileProblem("--save", savePath));
            CliOptions.AddError(result, plotPath is null ? null : CliPaths.FileProblem("--plot", plotPath));
            if (plotPath is { Length: > 0 } && !plotPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            {
                result.AddError($"--plot writes a PNG: give a file name ending in .png, got '{plotPath}'");
            }

            if (plotPath is { Length: > 0 } && savePath is { Length: > 0 } && CliPaths.SameFile(plotPath, savePath))
            {
                result.AddError($"--save '{savePath}' and --plot '{plotPath}' name the same file: the plot would replace the model");
            }

            if (CliOptions.Given(result, steps) && result.GetValue(task) is string name && Tasks.ContainsKey(name) && Array.IndexOf(TasksWithSteps, name) < 0)
            {
                result.AddError($"--steps is for the tasks that take a sequence length ({string.Join(", ", TasksWithSteps)}); {name} has its own");
            }
        });
        command.SetAction(result => Run(
            result.GetRequiredValue(task),
            new TaskOptions
            {
                Cell = result.GetValue(cell),
                Epochs = result.GetValue(epochs),
                Hidden = result.GetValue(hidden),
                Steps = result.GetValue(steps),
                Seed = result.GetValue(seed) ?? DefaultSeed,
                Quick = result.GetValue(quick),
            },
            result.GetValue(plot),
            result.GetValue(save)));
        return command;
    }

    private static int Run(string taskName, TaskOptions options, string? plot, string? save)
    {
        try
        {
            Func<TaskOptions, Action<TrainingProgress>?, TaskResult> task = Tasks[taskName];
            Console.WriteLine($"Training '{taskName}' ({Isa.Active}, {Environment.ProcessorCount} cores)...");
            TaskResult result = TrainingProgressDisplay.Run(progress => task(options, progress));
            Print(result);
            if (save is not null)
            {
                CliPaths.Write(save, () => Checkpoint.Save(save, result.Parameters, result.Metadata));
                Console.WriteLine($"saved:    {save}");
            }

            return plot is null ? 0 : WritePlot(plot, result);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            return Fail(e.Message);
        }
    }

    /// <summary>Writes the loss curves; a plot that cannot be drawn (e.g. ScottPlot's native libraries are missing) fails the command.</summary>
    private static int WritePlot(string plot, TaskResult result)
    {
        try
        {
            LossPlot.Write(plot, $"{result.Task} ({result.Cell})", result.Summary.TrainLoss, result.Summary.ValidationLoss);
            Console.WriteLine($"plot:     {plot}");
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException or TypeInitializationException)
        {
            return Fail($"could not write the plot {plot}: {e.GetBaseException().Message}");
        }
    }

    /// <summary>A cell by its command-line name (<c>rnn-tanh</c> is accepted for <c>rnn</c>), or null.</summary>
    private static CellKind? ParseCell(string text) => text switch
    {
        "lstm" => CellKind.Lstm,
        "gru" => CellKind.Gru,
        "rnn" or "rnn-tanh" => CellKind.RnnTanh,
        "rnn-relu" => CellKind.RnnRelu,
        _ => null,
    };

    private static void Print(TaskResult result)
    {
        TrainingSummary s = result.Summary;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"task:     {result.Task} ({result.Cell})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epochs:   {s.TrainLoss.Count}{(s.StoppedEarly ? " (stopped early)" : string.Empty)}, best {s.BestEpoch}, {s.Elapsed.TotalSeconds:F1} s"));
        string validation = s.ValidationLoss.Count > 0 ? string.Create(CultureInfo.InvariantCulture, $" (validation {s.ValidationLoss[^1]:F4})") : string.Empty;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loss:     first epoch {s.TrainLoss[0]:F4} -> last {s.TrainLoss[^1]:F4}{validation}"));
        Console.WriteLine($"result:   {result.Metric}");
        foreach (string note in result.Notes)
        {
            Console.WriteLine($"          {note}");
        }

        Console.WriteLine("weights:  the trained weights stored in each format");
        ResultTable.Write(WeightFormatTable(result), Console.Out);
    }

    /// <summary>The task's raw held-out metric with the weights in fp32, bf16 and int8, and the change from fp32.</summary>
    private static Table WeightFormatTable(TaskResult result)
    {
        var table = new Table()
            .AddColumn("weights")
            .AddColumn(new TableColumn(result.RawMetricName).RightAligned())
            .AddColumn(new TableColumn("change from fp32").RightAligned());
        double fp32 = result.MetricWith(WeightFormat.Float32);
        foreach (WeightFormat format in new[] { WeightFormat.Float32, WeightFormat.BFloat16, WeightFormat.Int8 })
        {
            double value = format == WeightFormat.Float32 ? fp32 : result.MetricWith(format);
            table.AddRow(
                new Text(NetworkFile.FormatName(format)),
                new Text(value.ToString("G4", CultureInfo.InvariantCulture)),
                new Text(format == WeightFormat.Float32 ? string.Empty : Change(value, fp32)));
        }

        return table;
    }

    /// <summary>The relative change, or the absolute one when the fp32 figure is 0 (a relative one would be NaN or infinite).</summary>
    internal static string Change(double value, double reference) => reference == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{value - reference:+0.0000;-0.0000;0.0000} (fp32 is 0)")
        : string.Create(CultureInfo.InvariantCulture, $"{(value - reference) / Math.Abs(reference):+0.00%;-0.00%;0.00%}");

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"fastrnn train: {message}");
        return 1;
    }
}

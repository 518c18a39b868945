using System;
using System.Collections.Generic;
using System.Globalization;
using FastRnn.Kernels;
using FastRnn.Networks;
using FastRnn.Training;
using FastRnn.Training.Models;
using FastRnn.Training.Optimizers;

namespace FastRnn.Cli.Tasks;

/// <summary>
/// The stateful LSTM time-series task: the input is a uniform random sequence; the target at step
/// t is the moving average of the last <c>tsteps</c> inputs, delayed by <c>lahead</c> − 1 steps.
/// Each batch row is one long stream cut into windows; the state is carried from window to
/// window (truncated BPTT), so the network must remember inputs across window boundaries.
/// </summary>
internal static class MovingAverageTask
{
    public const string Name = "moving-average";
    private const int Tsteps = 4;
    private const int Lahead = 1;
    private const int Window = 16;

    public static TaskResult Run(TaskOptions options, Action<TrainingProgress>? progress)
    {
        CellKind cell = options.Cell ?? CellKind.Lstm;
        int hidden = options.Hidden ?? 16;
        int streams = 16;
        int length = options.Quick ? 1024 : 4096;
        int epochs = options.Epochs ?? (options.Quick ? 6 : 20);
        var random = new Random(options.Seed);

        // [streams, length] inputs and targets.
        float[] x = new float[streams * length];
        float[] y = new float[streams * length];
        for (int s = 0; s < streams; s++)
        {
            for (int t = 0; t < length; t++)
            {
                x[(s * length) + t] = (float)((random.NextDouble() * 2) - 1);
            }

            for (int t = 0; t < length; t++)
            {
                double sum = 0;
                int end = t - (Lahead - 1);
                for (int k = end - Tsteps + 1; k <= end; k++)
                {
                    sum += k >= 0 ? x[(s * length) + k] : 0;
                }

                y[(s * length) + t] = (float)(sum / Tsteps);
            }
        }

        var model = new SequenceModel(
            new SequenceModelOptions
            {
                Network = new NetworkDescription(cell, 1, hidden),
                OutputSize = 1,
                Seed = options.Seed,
            },
            streams,
            Window);
        var optimizer = new Adam(model.Parameters, learningRate: 0.01f);

        // Train on the first 80% of every stream, validate on the rest (state carried through).
        int trainWindows = length * 4 / 5 / Window;
        int allWindows = length / Window;
        float[] features = new float[Window * streams];
        float[] targets = new float[Window * streams];
        float[] hiddenState = new float[streams * hidden];
        float[] cellState = new float[cell == CellKind.Lstm ? streams * hidden : 0];
        float[] predictions = new float[Window * streams];

        float Windowed(int w, bool train, double[]? trivial)
        {
            for (int t = 0; t < Window; t++)
            {
                for (int s = 0; s < streams; s++)
                {
                    features[(t * streams) + s] = x[(s * length) + (w * Window) + t];
                    targets[(t * streams) + s] = y[(s * length) + (w * Window) + t];
                }
            }

            var batch = new SequenceBatch { Steps = Window, Batch = streams, Features = features, TargetValues = targets, InitialHidden = hiddenState, InitialCell = cellState };
            float loss;
            if (train)
            {
                optimizer.ZeroGradients();
                loss = model.ForwardBackward(batch);
                GradientClipping.ClipByGlobalNorm(optimizer.Parameters, 1.0);
                optimizer.Step();
                model.ParametersUpdated();
            }
            else
            {
                loss = model.Evaluate(batch, predictions);
                if (trivial is not null)
                {
                    for (int i = 0; i < targets.Length; i++)
                    {
                        trivial[0] += (double)targets[i] * targets[i];
                        double last = features[i] - targets[i];
                        trivial[1] += last * last;
                    }
                }
            }

            model.FinalHidden.CopyTo(hiddenState);
            model.FinalCell.CopyTo(cellState);
            return loss;
        }

        float Validate(double[]? trivial)
        {
            double sum = 0;
            Array.Clear(hiddenState);
            Array.Clear(cellState);
            for (int w = 0; w < allWindows; w++)
            {
                float loss = Windowed(w, false, w >= trainWindows ? trivial : null);
                if (w >= trainWindows)
                {
                    sum += loss;
                }
            }

            return (float)(sum / (allWindows - trainWindows));
        }

        // One "example" per window: batches of one window, in stream order (stateful: no shuffling).
        TrainingSummary summary = Trainer.Run(
            trainWindows,
            new TrainerOptions { Epochs = epochs, BatchSize = 1, ValidationFraction = 0, Shuffle = false, Seed = options.Seed },
            (indices, count) =>
            {
                if (indices[0] == 0)
                {
                    Array.Clear(hiddenState);
                    Array.Clear(cellState);
                }

                return Windowed(indices[0], true, null);
            },
            _ => Validate(null),
            ImmediateProgress.Of(progress));

        double[] trivialSums = new double[2];
        float mse = Validate(trivialSums);
        int heldOut = (allWindows - trainWindows) * Window * streams;
        double zeroMse = trivialSums[0] / heldOut;
        double lastInputMse = trivialSums[1] / heldOut;
        return new TaskResult
        {
            Task = Name,
            Cell = cell.ToString(),
            Summary = summary,
            Metric = string.Create(CultureInfo.InvariantCulture, $"held-out MSE {mse:G3} vs trivial predictors: zero {zeroMse:G3}, last input {lastInputMse:G3}"),
            MetricValue = mse / Math.Min(zeroMse, lastInputMse),
            RawMetricName = "held-out MSE",
            MetricWith = format =>
            {
                model.UseWeightFormat(format);
                double result = Validate(new double[2]);
                model.UseWeightFormat(WeightFormat.Float32);
                return result;
            },
            Parameters = model.Parameters,
            Metadata = new Dictionary<string, string> { ["task"] = Name, ["cell"] = cell.ToString(), ["hidden"] = hidden.ToString(CultureInfo.InvariantCulture) },
        };
    }
}

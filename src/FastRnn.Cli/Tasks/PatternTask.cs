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
/// Many-to-one classification with a long dependency: the class of a sequence is the sign of a
/// marker on its first step; every step (the first included) also carries Gaussian noise on the
/// other input channels. The network must carry one bit across every step to the end while the
/// noise keeps pushing its state. Gated cells (LSTM, GRU) can shut the noise out and keep the
/// bit; a vanilla RNN, whose gradient vanishes over the distance, rarely learns to: the seeds'
/// story, measured.
/// </summary>
internal static class PatternTask
{
    public const string Name = "pattern";

    /// <summary>The longest sequence <c>--steps</c> may ask for: its 3,000 examples then take 3000 × 5000 × 8 floats, 480 MB.</summary>
    public const int MaxSteps = 5_000;

    private const int Channels = 8;

    public static TaskResult Run(TaskOptions options, Action<TrainingProgress>? progress)
    {
        CellKind cell = options.Cell ?? CellKind.Lstm;
        int hidden = options.Hidden ?? 32;
        int steps = options.Steps ?? 60;
        const int examples = 3000;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(steps, MaxSteps, "--steps");
        int epochs = options.Epochs ?? (options.Quick ? 8 : 10);
        const int batchSize = 32;
        var random = new Random(options.Seed);
        float[] inputs = new float[examples * steps * Channels]; // [example, step, channel]
        int[] labels = new int[examples];
        for (int e = 0; e < examples; e++)
        {
            labels[e] = random.Next(2);
            for (int t = 0; t < steps; t++)
            {
                for (int c = 1; c < Channels; c++)
                {
                    inputs[(((e * steps) + t) * Channels) + c] = Gaussian(random);
                }
            }

            inputs[e * steps * Channels] = labels[e] == 1 ? 1f : -1f;
        }

        var model = new SequenceModel(
            new SequenceModelOptions
            {
                Network = new NetworkDescription(cell, Channels, hidden),
                OutputSize = 2,
                Head = HeadPlacement.LastStep,
                Seed = options.Seed,
            },
            batchSize,
            steps);
        var optimizer = new Adam(model.Parameters, learningRate: 0.005f);
        float[] batchInputs = new float[steps * batchSize * Channels];
        int[] batchLabels = new int[batchSize];
        float[] logits = new float[2 * batchSize];

        SequenceBatch Gather(ReadOnlySpan<int> indices, int count)
        {
            for (int b = 0; b < count; b++)
            {
                int e = indices[b];
                batchLabels[b] = labels[e];
                for (int t = 0; t < steps; t++)
                {
                    inputs.AsSpan(((e * steps) + t) * Channels, Channels).CopyTo(batchInputs.AsSpan(((t * count) + b) * Channels));
                }
            }

            return new SequenceBatch { Steps = steps, Batch = count, Features = batchInputs.AsSpan(0, steps * count * Channels), TargetClasses = batchLabels.AsSpan(0, count) };
        }

        double accuracy = 0;
        int[] heldOut = [];
        float Validate(int[] validation)
        {
            heldOut = validation;
            double total = 0;
            int correct = 0;
            for (int start = 0; start < validation.Length; start += batchSize)
            {
                int count = Math.Min(batchSize, validation.Length - start);
                total += model.Evaluate(Gather(validation.AsSpan(start, count), count), logits.AsSpan(0, 2 * count)) * count;
                for (int b = 0; b < count; b++)
                {
                    int predicted = logits[(2 * b) + 1] > logits[2 * b] ? 1 : 0;
                    correct += predicted == batchLabels[b] ? 1 : 0;
                }
            }

            accuracy = (double)correct / validation.Length;
            return (float)(total / validation.Length);
        }

        TrainingSummary summary = Trainer.Run(
            examples,
            new TrainerOptions { Epochs = epochs, BatchSize = batchSize, ValidationFraction = 0.2, Seed = options.Seed },
            (indices, count) =>
            {
                optimizer.ZeroGradients();
                float loss = model.ForwardBackward(Gather(indices, count));
                GradientClipping.ClipByGlobalNorm(optimizer.Parameters, 1.0);
                optimizer.Step();
                model.ParametersUpdated();
                return loss;
            },
            Validate,
            ImmediateProgress.Of(progress));

        return new TaskResult
        {
            Task = Name,
            Cell = cell.ToString(),
            Summary = summary,
            Metric = string.Create(CultureInfo.InvariantCulture, $"held-out accuracy {accuracy:P1} over a {steps - 1}-step gap (chance 50%)"),
            MetricValue = accuracy,
            RawMetricName = "held-out accuracy",
            MetricWith = format =>
            {
                double fp32Accuracy = accuracy;
                model.UseWeightFormat(format);
                Validate(heldOut);
                double result = accuracy;
                model.UseWeightFormat(WeightFormat.Float32);
                accuracy = fp32Accuracy;
                return result;
            },
            Parameters = model.Parameters,
            Metadata = new Dictionary<string, string> { ["task"] = Name, ["cell"] = cell.ToString(), ["hidden"] = hidden.ToString(CultureInfo.InvariantCulture), ["steps"] = steps.ToString(CultureInfo.InvariantCulture) },
        };
    }

    private static float Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }
}

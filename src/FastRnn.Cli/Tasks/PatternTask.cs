using System;
using System.Collections.Generic;
using System.Globalization;
using FastRnn.Networks;
using FastRnn.Training;
using FastRnn.Training.Models;
using FastRnn.Training.Optimizers;

namespace FastRnn.Cli.Tasks;

/// <summary>
/// Many-to-one classification with a long dependency: the class of a sequence is decided by the
/// marker token at its start (0 or 1), followed by a long run of noise tokens. The network must
/// carry one bit across every step to the end, which gated cells (LSTM, GRU) learn and a vanilla
/// RNN, whose gradients vanish over the distance, does not: the seeds' story, measured.
/// </summary>
internal static class PatternTask
{
    public const string Name = "pattern";
    private const int Vocabulary = 10;

    public static TaskResult Run(TaskOptions options, Action<TrainingProgress>? progress)
    {
        CellKind cell = options.Cell ?? CellKind.Lstm;
        int hidden = options.Hidden ?? 32;
        int steps = options.Steps ?? (options.Quick ? 60 : 100);
        int examples = options.Quick ? 3000 : 4000;
        int epochs = options.Epochs ?? (options.Quick ? 6 : 12);
        const int batchSize = 32;
        var random = new Random(options.Seed);
        int[] tokens = new int[examples * steps]; // [example, step]
        int[] labels = new int[examples];
        for (int e = 0; e < examples; e++)
        {
            labels[e] = random.Next(2);
            tokens[e * steps] = labels[e];
            for (int t = 1; t < steps; t++)
            {
                tokens[(e * steps) + t] = 2 + random.Next(Vocabulary - 2);
            }
        }

        var model = new SequenceModel(
            new SequenceModelOptions
            {
                Network = new NetworkDescription(cell, 8, hidden),
                Vocabulary = Vocabulary,
                OutputSize = 2,
                Head = HeadPlacement.LastStep,
                Seed = options.Seed,
            },
            batchSize,
            steps);
        var optimizer = new Adam(model.Parameters, learningRate: 0.005f);
        int[] batchTokens = new int[steps * batchSize];
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
                    batchTokens[(t * count) + b] = tokens[(e * steps) + t];
                }
            }

            return new SequenceBatch { Steps = steps, Batch = count, Tokens = batchTokens.AsSpan(0, steps * count), TargetClasses = batchLabels.AsSpan(0, count) };
        }

        double accuracy = 0;
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
            validation =>
            {
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
            },
            progress);

        return new TaskResult
        {
            Task = Name,
            Cell = cell.ToString(),
            Summary = summary,
            Metric = string.Create(CultureInfo.InvariantCulture, $"held-out accuracy {accuracy:P1} over a {steps - 1}-step gap (chance 50%)"),
            MetricValue = accuracy,
            Parameters = model.Parameters,
            Metadata = new Dictionary<string, string> { ["task"] = Name, ["cell"] = cell.ToString(), ["hidden"] = hidden.ToString(CultureInfo.InvariantCulture), ["steps"] = steps.ToString(CultureInfo.InvariantCulture) },
        };
    }
}

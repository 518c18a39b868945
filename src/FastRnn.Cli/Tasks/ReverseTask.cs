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
/// Sequence to sequence: the encoder reads a string of digits, its final state initialises the
/// decoder, which writes the digits reversed. Trained with teacher forcing, scored by greedy
/// decoding on held-out strings.
/// </summary>
internal static class ReverseTask
{
    public const string Name = "reverse";
    private const int Digits = 10;
    private const int Begin = 10;
    private const int BatchSize = 32;

    public static TaskResult Run(TaskOptions options, Action<TrainingProgress>? progress)
    {
        CellKind cell = options.Cell ?? CellKind.Lstm;
        int hidden = options.Hidden ?? 128;
        int length = options.Quick ? 5 : 7;
        int examples = options.Quick ? 3000 : 8000;
        int epochs = options.Epochs ?? (options.Quick ? 8 : 20);
        var random = new Random(options.Seed);
        int[] strings = new int[examples * length];
        for (int i = 0; i < strings.Length; i++)
        {
            strings[i] = random.Next(Digits);
        }

        var model = new Seq2SeqModel(new Seq2SeqModelOptions
        {
            Cell = cell,
            SourceVocabulary = Digits,
            TargetVocabulary = Digits + 1,
            Embedding = 16,
            Hidden = hidden,
            BeginToken = Begin,
            MaxBatch = BatchSize,
            MaxSourceSteps = length,
            MaxTargetSteps = length,
            Seed = options.Seed,
        });
        var optimizer = new Adam(model.Parameters, learningRate: 0.005f);
        int[] source = new int[length * BatchSize];
        int[] target = new int[length * BatchSize];
        int[] decoded = new int[length * BatchSize];

        void Gather(ReadOnlySpan<int> indices, int count)
        {
            for (int b = 0; b < count; b++)
            {
                int e = indices[b];
                for (int t = 0; t < length; t++)
                {
                    source[(t * count) + b] = strings[(e * length) + t];
                    target[(t * count) + b] = strings[(e * length) + (length - 1 - t)];
                }
            }
        }

        double sequenceAccuracy = 0, tokenAccuracy = 0;
        int[] heldOut = [];
        float Validate(int[] validation)
        {
            heldOut = validation;
            int sequencesRight = 0, tokensRight = 0;
            for (int start = 0; start < validation.Length; start += BatchSize)
            {
                int count = Math.Min(BatchSize, validation.Length - start);
                Gather(validation.AsSpan(start, count), count);
                model.Decode(source.AsSpan(0, length * count), length, count, length, decoded.AsSpan(0, length * count));
                for (int b = 0; b < count; b++)
                {
                    bool all = true;
                    for (int t = 0; t < length; t++)
                    {
                        bool right = decoded[(t * count) + b] == target[(t * count) + b];
                        tokensRight += right ? 1 : 0;
                        all &= right;
                    }

                    sequencesRight += all ? 1 : 0;
                }
            }

            sequenceAccuracy = (double)sequencesRight / validation.Length;
            tokenAccuracy = (double)tokensRight / (validation.Length * length);
            return (float)(1 - tokenAccuracy);
        }

        TrainingSummary summary = Trainer.Run(
            examples,
            new TrainerOptions { Epochs = epochs, BatchSize = BatchSize, ValidationFraction = 0.1, Seed = options.Seed },
            (indices, count) =>
            {
                Gather(indices, count);
                optimizer.ZeroGradients();
                float loss = model.ForwardBackward(source.AsSpan(0, length * count), length, target.AsSpan(0, length * count), length, count);
                GradientClipping.ClipByGlobalNorm(optimizer.Parameters, 5.0);
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
            Metric = string.Create(CultureInfo.InvariantCulture, $"held-out strings of {length} digits reversed exactly: {sequenceAccuracy:P1} (digits right: {tokenAccuracy:P1}; validation curve = digit error rate)"),
            MetricValue = sequenceAccuracy,
            RawMetricName = "held-out strings reversed exactly",
            MetricWith = format =>
            {
                (double fp32Sequences, double fp32Tokens) = (sequenceAccuracy, tokenAccuracy);
                model.UseWeightFormat(format);
                Validate(heldOut);
                double result = sequenceAccuracy;
                model.UseWeightFormat(WeightFormat.Float32);
                (sequenceAccuracy, tokenAccuracy) = (fp32Sequences, fp32Tokens);
                return result;
            },
            Parameters = model.Parameters,
            Metadata = new Dictionary<string, string> { ["task"] = Name, ["cell"] = cell.ToString(), ["hidden"] = hidden.ToString(CultureInfo.InvariantCulture), ["length"] = length.ToString(CultureInfo.InvariantCulture) },
        };
    }
}

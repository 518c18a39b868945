using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using FastRnn.Kernels;
using FastRnn.Networks;
using FastRnn.Training;
using FastRnn.Training.Models;
using FastRnn.Training.Optimizers;

namespace FastRnn.Cli.Tasks;

/// <summary>
/// A character language model on a small embedded text: predict each next character
/// (many-to-many); then sample new text one character at a time (one-to-many).
/// </summary>
internal static class CharLmTask
{
    public const string Name = "char-lm";
    private const int Window = 48;
    private const int BatchSize = 32;

    /// <summary>The characters the model knows, in id order (sorted distinct characters of the text).</summary>
    public static string Alphabet { get; } = BuildAlphabet();

    public static TaskResult Run(TaskOptions options, Action<TrainingProgress>? progress)
    {
        CellKind cell = options.Cell ?? CellKind.Lstm;
        int hidden = options.Hidden ?? (options.Quick ? 96 : 192);
        int epochs = options.Epochs ?? (options.Quick ? 6 : 30);
        string text = Normalise(EmbeddedText.Value);
        int[] ids = Encode(text);
        int examples = (ids.Length - Window - 1) / 4;
        var random = new Random(options.Seed);
        int[] starts = new int[examples];
        for (int e = 0; e < examples; e++)
        {
            starts[e] = random.Next(ids.Length - Window - 1);
        }

        SequenceModel model = Create(cell, hidden, options.Seed);
        var optimizer = new Adam(model.Parameters, learningRate: 0.005f);
        int[] inputs = new int[Window * BatchSize];
        int[] targets = new int[Window * BatchSize];

        SequenceBatch Gather(ReadOnlySpan<int> indices, int count)
        {
            for (int b = 0; b < count; b++)
            {
                int start = starts[indices[b]];
                for (int t = 0; t < Window; t++)
                {
                    inputs[(t * count) + b] = ids[start + t];
                    targets[(t * count) + b] = ids[start + t + 1];
                }
            }

            return new SequenceBatch { Steps = Window, Batch = count, Tokens = inputs.AsSpan(0, Window * count), TargetClasses = targets.AsSpan(0, Window * count) };
        }

        int[] heldOut = [];
        float Validate(int[] validation)
        {
            heldOut = validation;
            double total = 0;
            for (int start = 0; start < validation.Length; start += BatchSize)
            {
                int count = Math.Min(BatchSize, validation.Length - start);
                total += model.Evaluate(Gather(validation.AsSpan(start, count), count)) * count;
            }

            return (float)(total / validation.Length);
        }

        TrainingSummary summary = Trainer.Run(
            examples,
            new TrainerOptions { Epochs = epochs, BatchSize = BatchSize, ValidationFraction = 0.1, Seed = options.Seed },
            (indices, count) =>
            {
                optimizer.ZeroGradients();
                float loss = model.ForwardBackward(Gather(indices, count));
                GradientClipping.ClipByGlobalNorm(optimizer.Parameters, 5.0);
                optimizer.Step();
                model.ParametersUpdated();
                return loss;
            },
            Validate,
            ImmediateProgress.Of(progress));

        float validationLoss = summary.ValidationLoss[^1];
        string sample = Generate(model, "The miller ", 160, 0.6f, options.Seed);
        return new TaskResult
        {
            Task = Name,
            Cell = cell.ToString(),
            Summary = summary,
            Metric = Describe(validationLoss),
            MetricValue = validationLoss,
            Notes = [$"sample: {sample}"],
            RawMetricName = "held-out perplexity",
            MetricWith = format =>
            {
                model.UseWeightFormat(format);
                double result = Math.Exp(Validate(heldOut));
                model.UseWeightFormat(WeightFormat.Float32);
                return result;
            },
            Parameters = model.Parameters,
            Metadata = new Dictionary<string, string>
            {
                ["task"] = Name,
                ["cell"] = cell.ToString(),
                ["hidden"] = hidden.ToString(CultureInfo.InvariantCulture),
                ["alphabet"] = Alphabet,
            },
        };
    }

    /// <summary>The result line: <c>held-out loss 1.754 nats/char, perplexity 5.78 (a uniform guess scores 37, the number of chars)</c>.</summary>
    internal static string Describe(float validationLoss) =>
        string.Create(CultureInfo.InvariantCulture, $"held-out loss {validationLoss:F3} nats/char, perplexity {Math.Exp(validationLoss):F2} (a uniform guess scores {Alphabet.Length}, the number of chars)");

    /// <summary>The model shape the task trains (also rebuilt by `fastrnn generate` before loading a checkpoint).</summary>
    public static SequenceModel Create(CellKind cell, int hidden, int seed) => new(
        new SequenceModelOptions
        {
            Network = new NetworkDescription(cell, 32, hidden),
            Vocabulary = Alphabet.Length,
            OutputSize = Alphabet.Length,
            OutputDropout = 0.1f,
            Seed = seed,
        },
        BatchSize,
        Window);

    /// <summary>Samples text after <paramref name="prime"/>.</summary>
    public static string Generate(SequenceModel model, string prime, int count, float temperature, int seed)
    {
        int[] generated = model.Sample(Encode(Normalise(prime)), count, temperature, seed);
        var text = new StringBuilder(Normalise(prime));
        foreach (int id in generated)
        {
            text.Append(Alphabet[id]);
        }

        return text.ToString();
    }

    /// <summary>Characters outside the alphabet become spaces; line breaks too.</summary>
    public static string Normalise(string text)
    {
        var result = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            result.Append(Alphabet.Contains(c, StringComparison.Ordinal) ? c : ' ');
        }

        return result.ToString();
    }

    private static int[] Encode(string text)
    {
        int[] ids = new int[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            ids[i] = Alphabet.IndexOf(text[i], StringComparison.Ordinal);
        }

        return ids;
    }

    private static string BuildAlphabet()
    {
        var set = new SortedSet<char>();
        foreach (char c in EmbeddedText.Value)
        {
            if (c is not '\n' and not '\r')
            {
                set.Add(c);
            }
        }

        set.Add(' ');
        return string.Concat(set);
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace FastRnn.Training;

/// <summary>How <see cref="Trainer.Run"/> iterates.</summary>
public sealed record TrainerOptions
{
    /// <summary>Passes over the training examples.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Examples per batch.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>
    /// Fraction of the examples held out for validation (0 for none); rounded down, but a fraction
    /// above 0 holds out at least one example. Without an <c>evaluate</c> delegate nothing is held out.
    /// </summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>
    /// Stop after this many epochs without a better validation loss (0 to never stop early); not negative.
    /// Without an <c>evaluate</c> delegate, epochs are judged by their mean training loss instead.
    /// </summary>
    public int Patience { get; init; }

    /// <summary>
    /// Whether to shuffle the training examples every epoch. Without, every epoch visits them in index
    /// order (what a stateful task that carries state from one example to the next needs); the split
    /// into training and validation examples is seeded and random either way.
    /// </summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Seed of the split and the shuffles.</summary>
    public int Seed { get; init; }
}

/// <summary>Progress after one training batch.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="Batch">1-based batch within the epoch.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="Loss">This batch's loss.</param>
/// <param name="ExamplesPerSecond">Training throughput so far in this epoch (the validation's time not counted).</param>
/// <param name="ValidationLoss">The epoch's validation loss, on its last batch (NaN before, or without validation).</param>
public readonly record struct TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, float Loss, double ExamplesPerSecond, float ValidationLoss);

/// <summary>What a training run did.</summary>
/// <param name="TrainLoss">Mean training loss per epoch.</param>
/// <param name="ValidationLoss">Validation loss per epoch (empty without an <c>evaluate</c> delegate).</param>
/// <param name="BestEpoch">
/// 1-based epoch with the lowest validation loss (the lowest mean training loss without an <c>evaluate</c>
/// delegate); the last epoch when no loss was lower than infinity (every one NaN).
/// </param>
/// <param name="StoppedEarly">Whether early stopping ended the run.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record TrainingSummary(IReadOnlyList<float> TrainLoss, IReadOnlyList<float> ValidationLoss, int BestEpoch, bool StoppedEarly, TimeSpan Elapsed);

/// <summary>
/// The training loop: a seeded split into training and validation examples, epochs of shuffled
/// batches, validation after each epoch, early stopping, and a progress callback. What a batch
/// does (forward, backward, clipping, optimizer step) is the caller's, given as delegates. Every run
/// starts at epoch 1: a run continued from a <see cref="Checkpoint"/> draws the split and the first
/// epochs' shuffles of <see cref="TrainerOptions.Seed"/> again and starts early stopping afresh.
/// </summary>
public static class Trainer
{
    /// <summary>Runs the loop.</summary>
    /// <param name="examples">Number of examples, indexed 0..examples-1.</param>
    /// <param name="options">Epochs, batch size, split, patience, seed.</param>
    /// <param name="trainBatch">
    /// Trains on the examples given and returns the batch loss. Its array holds exactly the batch's
    /// indices (the last batch of an epoch may be smaller than the batch size) and its count is that
    /// array's length; the arrays are reused from batch to batch, so copy what you keep.
    /// </param>
    /// <param name="evaluate">
    /// Called after every epoch with the held-out examples (at least one when the fraction is above 0;
    /// empty when it is 0, for tasks that validate on data of their own); returns the validation loss. Null for none.
    /// </param>
    /// <param name="progress">
    /// Told after every batch, or null. Reported on the training thread through
    /// <see cref="IProgress{T}.Report"/>; a <see cref="Progress{T}"/> posts each report to the
    /// synchronization context it was made on (the thread pool when there is none, so reports may
    /// arrive after this method returns).
    /// </param>
    /// <param name="cancellationToken">Checked before every batch: the batch in progress finishes, then the run throws.</param>
    /// <returns>The per-epoch losses and how the run ended.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the network keeps the weights of the last finished batch.</exception>
    public static TrainingSummary Run(
        int examples,
        TrainerOptions options,
        Func<int[], int, float> trainBatch,
        Func<int[], float>? evaluate = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(trainBatch);
        if (examples < 1 || options.Epochs < 1 || options.BatchSize < 1 || !(options.ValidationFraction >= 0 && options.ValidationFraction < 1) || options.Patience < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Need examples ≥ 1 (got {examples}), epochs ≥ 1 (got {options.Epochs}), batch size ≥ 1 (got {options.BatchSize}), 0 ≤ validation fraction < 1 (got {options.ValidationFraction}), patience ≥ 0 (got {options.Patience}).");
        }

        var random = new Random(options.Seed);
        int[] order = new int[examples];
        for (int i = 0; i < examples; i++)
        {
            order[i] = i;
        }

        random.Shuffle(order);
        int validationCount = evaluate is null || options.ValidationFraction == 0 ? 0 : Math.Max(1, (int)(examples * options.ValidationFraction));
        int trainCount = examples - validationCount;
        if (trainCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"A validation fraction of {options.ValidationFraction} holds out {validationCount} of {examples} examples and leaves none to train on; give more examples or a validation fraction of 0.");
        }

        int[] train = order[..trainCount];
        int[] validation = order[trainCount..];
        if (!options.Shuffle)
        {
            Array.Sort(train);
            Array.Sort(validation);
        }

        int batches = (trainCount + options.BatchSize - 1) / options.BatchSize;
        int[] batch = new int[Math.Min(options.BatchSize, trainCount)];
        int[] last = trainCount % batch.Length == 0 ? batch : new int[trainCount % batch.Length]; // the smaller last batch
        var trainLosses = new List<float>();
        var validationLosses = new List<float>();
        float best = float.PositiveInfinity;
        int bestEpoch = 0, sinceBest = 0;
        bool stoppedEarly = false;
        var total = Stopwatch.StartNew();
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            if (options.Shuffle)
            {
                random.Shuffle(train);
            }

            var clock = Stopwatch.StartNew();
            double sum = 0;
            int seen = 0;
            for (int b = 0; b < batches; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int[] indices = b == batches - 1 ? last : batch;
                int count = indices.Length;
                Array.Copy(train, b * options.BatchSize, indices, 0, count);
                float loss = trainBatch(indices, count);
                sum += loss * count;
                seen += count;
                double examplesPerSecond = seen / Math.Max(clock.Elapsed.TotalSeconds, 1e-9); // training only: read before validation runs
                float validationLoss = float.NaN;
                if (b == batches - 1)
                {
                    trainLosses.Add((float)(sum / seen));
                    if (evaluate is not null)
                    {
                        validationLoss = evaluate(validation);
                        validationLosses.Add(validationLoss);
                    }
                }

                progress?.Report(new TrainingProgress(epoch, options.Epochs, b + 1, batches, loss, examplesPerSecond, validationLoss));
            }

            float current = evaluate is not null ? validationLosses[^1] : trainLosses[^1];
            if (current < best)
            {
                best = current;
                bestEpoch = epoch;
                sinceBest = 0;
            }
            else if (options.Patience > 0 && ++sinceBest >= options.Patience)
            {
                stoppedEarly = epoch < options.Epochs;
                break;
            }
        }

        return new TrainingSummary(trainLosses, validationLosses, bestEpoch == 0 ? trainLosses.Count : bestEpoch, stoppedEarly, total.Elapsed);
    }
}

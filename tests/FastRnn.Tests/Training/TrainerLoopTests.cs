using System;
using System.Collections.Generic;
using System.Threading;
using FastRnn.Training;
using Xunit;

namespace FastRnn.Tests.Training;

public sealed class TrainerLoopTests
{
    [Fact]
    public void ReportsEveryBatchInOrderOnTheTrainingThread()
    {
        var reports = new List<TrainingProgress>();
        int thread = Environment.CurrentManagedThreadId;
        var progress = new Recorder(p =>
        {
            Assert.Equal(thread, Environment.CurrentManagedThreadId);
            reports.Add(p);
        });

        TrainingSummary summary = Trainer.Run(10, new TrainerOptions { Epochs = 2, BatchSize = 4, ValidationFraction = 0 }, (_, count) => count, progress: progress, cancellationToken: TestContext.Current.CancellationToken);

        // 10 examples in batches of 4: 3 batches per epoch, 2 epochs.
        Assert.Equal(6, reports.Count);
        for (int i = 0; i < reports.Count; i++)
        {
            Assert.Equal((i / 3) + 1, reports[i].Epoch);
            Assert.Equal((i % 3) + 1, reports[i].Batch);
            Assert.Equal(3, reports[i].Batches);
        }

        Assert.Equal(2, summary.TrainLoss.Count);
    }

    [Fact]
    public void ASmallValidationFractionHoldsOutAtLeastOneExample()
    {
        var seen = new List<int>();
        TrainingSummary summary = Trainer.Run(
            5,
            new TrainerOptions { Epochs = 3, BatchSize = 2, ValidationFraction = 0.1, Patience = 2 },
            (indices, count) =>
            {
                seen.AddRange(indices);
                return 1f;
            },
            validation =>
            {
                Assert.Single(validation);
                return 1f / validation.Length;
            },
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(4 * 3, seen.Count);
        Assert.Equal(3, summary.ValidationLoss.Count);
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Run(1, new TrainerOptions { ValidationFraction = 0.1 }, (_, count) => count, _ => 0f, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("holds out 1 of 1 examples and leaves none to train on", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EachBatchGetsExactlyItsIndices()
    {
        var batches = new List<int[]>();
        Trainer.Run(
            7,
            new TrainerOptions { Epochs = 2, BatchSize = 3, ValidationFraction = 0 },
            (indices, count) =>
            {
                Assert.Equal(indices.Length, count);
                batches.Add((int[])indices.Clone());
                return 0f;
            },
            cancellationToken: TestContext.Current.CancellationToken);

        // 7 examples in batches of 3, 3 and 1; every example once an epoch.
        Assert.Equal(6, batches.Count);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            Assert.Equal([3, 3, 1], [batches[3 * epoch].Length, batches[(3 * epoch) + 1].Length, batches[(3 * epoch) + 2].Length]);
            var all = new List<int>();
            for (int b = 0; b < 3; b++)
            {
                all.AddRange(batches[(3 * epoch) + b]);
            }

            all.Sort();
            Assert.Equal([0, 1, 2, 3, 4, 5, 6], all);
        }
    }

    [Fact]
    public void CancellationStopsBeforeTheNextBatchAndThrows()
    {
        using var cancel = new CancellationTokenSource();
        int batches = 0;
        float TrainBatch(int[] indices, int count)
        {
            if (++batches == 4)
            {
                cancel.Cancel();
            }

            return 1f;
        }

        Assert.Throws<OperationCanceledException>(() => Trainer.Run(100, new TrainerOptions { Epochs = 5, BatchSize = 10, ValidationFraction = 0 }, TrainBatch, cancellationToken: cancel.Token));

        // The batch that saw the cancellation finished; no batch started after it.
        Assert.Equal(4, batches);
    }

    [Fact]
    public void AnAlreadyCancelledTokenRunsNoBatch()
    {
        int batches = 0;
        Assert.Throws<OperationCanceledException>(() => Trainer.Run(10, new TrainerOptions(), (_, _) => ++batches, cancellationToken: new CancellationToken(canceled: true)));
        Assert.Equal(0, batches);
    }

    private sealed class Recorder(Action<TrainingProgress> record) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => record(value);
    }
}

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

using FastRnn.Training;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>
/// Without an <c>evaluate</c> delegate the trainer judges epochs by their mean training loss: early
/// stopping (<see cref="TrainerOptions.Patience"/>) and <see cref="TrainingSummary.BestEpoch"/> follow
/// it, as their documentation says; with no loss below infinity (every one NaN) the best epoch is the last.
/// </summary>
public sealed class TrainerWithoutValidationTests
{
    [Fact]
    public void PatienceAndTheBestEpochFollowTheTrainingLoss()
    {
        float[] losses = [3f, 1f, 2f, 2.5f, 0.5f, 4f];
        int epoch = 0;
        TrainingSummary summary = Trainer.Run(
            4,
            new TrainerOptions { Epochs = 6, BatchSize = 4, ValidationFraction = 0.25, Patience = 2 },
            (_, count) =>
            {
                Assert.Equal(4, count); // nothing held out without a validation delegate
                return losses[epoch++];
            },
            cancellationToken: TestContext.Current.CancellationToken);

        // Epoch 2 is the best; epochs 3 and 4 are not better, so the run stops after epoch 4.
        Assert.Equal([3f, 1f, 2f, 2.5f], summary.TrainLoss);
        Assert.Empty(summary.ValidationLoss);
        Assert.Equal(2, summary.BestEpoch);
        Assert.True(summary.StoppedEarly);
    }

    [Fact]
    public void WithOnlyNaNLossesTheBestEpochIsTheLast()
    {
        TrainingSummary summary = Trainer.Run(
            4,
            new TrainerOptions { Epochs = 3, BatchSize = 2, ValidationFraction = 0 },
            (_, _) => float.NaN,
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(3, summary.TrainLoss.Count);
        Assert.Equal(3, summary.BestEpoch);
        Assert.False(summary.StoppedEarly);
    }
}

using FastRnn.Cli.Tasks;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Tasks;

/// <summary>Each built-in task, seeded and in quick mode, reaches its stated threshold in seconds.</summary>
[Trait("Category", "Tasks")]
public sealed class TaskTrainingTests
{
    private static readonly TaskOptions Quick = new() { Quick = true, Seed = 1 };

    [Fact]
    public void MovingAverageBeatsBothTrivialPredictorsFiveFold()
    {
        TaskResult result = MovingAverageTask.Run(Quick, null);
        Assert.True(result.MetricValue < 0.2, result.Metric);
    }

    [Fact]
    public void CharacterModelLearnsTheText()
    {
        TaskResult result = CharLmTask.Run(Quick, null);
        Assert.True(result.MetricValue < 2.0, result.Metric); // uniform guessing: ln 37 = 3.61 nats
        Assert.StartsWith("sample: The miller ", result.Notes[0], System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void GatedCellsCarryOneBitAcrossFiftyNineSteps(CellKind cell)
    {
        TaskResult result = PatternTask.Run(Quick with { Cell = cell }, null);
        Assert.True(result.MetricValue >= 0.95, result.Metric);
    }

    [Fact]
    public void EncoderDecoderLearnsToReverse()
    {
        TaskResult result = ReverseTask.Run(Quick, null);
        Assert.True(result.MetricValue >= 0.9, result.Metric);
    }

    [Fact]
    public void TrainingIsDeterministicForASeed()
    {
        TaskResult first = PatternTask.Run(Quick with { Epochs = 2 }, null);
        TaskResult second = PatternTask.Run(Quick with { Epochs = 2 }, null);
        Assert.Equal(first.Summary.TrainLoss, second.Summary.TrainLoss);
        Assert.Equal(first.Summary.ValidationLoss, second.Summary.ValidationLoss);
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
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
    public void CharacterModelLearnsTheTextAndGeneratesFromIt()
    {
        TaskResult result = CharLmTask.Run(Quick, null);
        Assert.True(result.MetricValue < 2.0, result.Metric); // uniform guessing: ln 37 = 3.61 nats

        // The prompt is echoed whatever the model does; the 160 characters after it are what it generated.
        const string prompt = "sample: The miller ";
        string note = Assert.Single(result.Notes);
        Assert.StartsWith(prompt, note, StringComparison.Ordinal);
        string continuation = note[prompt.Length..];
        Assert.Equal(160, continuation.Length);
        Assert.All(continuation, c => Assert.True(CharLmTask.Alphabet.Contains(c, StringComparison.Ordinal), $"{c} is not in the alphabet"));

        // The quick model writes short words of the text among near-misses ("the", "and", "mil";
        // 17 of 37 on seed 1); a broken sampler (one repeated id, ids off by one, uniform noise)
        // writes few words and almost none of them real. The last word may be cut short.
        var known = new HashSet<string>(Words(CharLmTask.Normalise(EmbeddedText.Value)), StringComparer.Ordinal);
        string[] generated = Words(continuation).SkipLast(1).ToArray();
        Assert.True(generated.Length >= 15, $"only {generated.Length} words in '{continuation}'");
        int real = generated.Count(known.Contains);
        Assert.True(real * 3 >= generated.Length, $"{real} of {generated.Length} generated words are words of the text: '{continuation}'");
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

    private static string[] Words(string text) =>
        text.Split((char[])[.. text.Where(c => !char.IsLetter(c)).Distinct()], StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void TrainingIsDeterministicForASeed()
    {
        TaskResult first = PatternTask.Run(Quick with { Epochs = 2 }, null);
        TaskResult second = PatternTask.Run(Quick with { Epochs = 2 }, null);
        Assert.Equal(first.Summary.TrainLoss, second.Summary.TrainLoss);
        Assert.Equal(first.Summary.ValidationLoss, second.Summary.ValidationLoss);
    }
}

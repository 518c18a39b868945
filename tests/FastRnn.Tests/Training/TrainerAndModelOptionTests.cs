using System;
using System.Collections.Generic;
using System.Threading;
using FastRnn.Networks;
using FastRnn.Training;
using FastRnn.Training.Models;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>The trainer's order without shuffling and its throughput, and the sizes the task-level models refuse when built.</summary>
public sealed class TrainerAndModelOptionTests
{
    [Fact]
    public void WithoutShufflingEveryEpochVisitsTheTrainingExamplesInIndexOrder()
    {
        // What a stateful task (moving-average: one window per example, state carried) relies on.
        var seen = new List<int>();
        Trainer.Run(
            8,
            new TrainerOptions { Epochs = 2, BatchSize = 3, ValidationFraction = 0, Shuffle = false, Seed = 1 },
            (indices, count) =>
            {
                seen.AddRange(indices);
                return 0f;
            },
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7], seen);

        // With a (seeded, random) validation split, the training examples still come in index order.
        seen.Clear();
        int[] held = [];
        Trainer.Run(
            10,
            new TrainerOptions { Epochs = 1, BatchSize = 4, ValidationFraction = 0.3, Shuffle = false, Seed = 1 },
            (indices, count) =>
            {
                seen.AddRange(indices);
                return 0f;
            },
            validation =>
            {
                held = (int[])validation.Clone();
                return 0f;
            },
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(7, seen.Count);
        Assert.Equal(3, held.Length);
        for (int i = 1; i < seen.Count; i++)
        {
            Assert.True(seen[i - 1] < seen[i], $"training order {string.Join(", ", seen)}");
        }
    }

    [Fact]
    public void ThroughputCountsTrainingTimeNotValidationTime()
    {
        var reports = new List<TrainingProgress>();
        Trainer.Run(
            40,
            new TrainerOptions { Epochs = 1, BatchSize = 20, ValidationFraction = 0.5 },
            (_, _) => 1f,
            _ =>
            {
                Thread.Sleep(300);
                return 1f;
            },
            new Recorder(reports.Add),
            TestContext.Current.CancellationToken);

        // One batch of 20 examples that takes no time: with validation's 0.3 s counted it reads about 67 examples/s.
        Assert.True(reports[^1].ExamplesPerSecond > 200, $"{reports[^1].ExamplesPerSecond:F0} examples/s");
    }

    [Theory]
    [InlineData(65536)] // [256 * 256, 65536] logits: 2^32 floats, an int product of 0
    [InlineData(40000)] // 2.6e9 floats: a negative int product
    public void ASequenceModelWhoseLogitsDoNotFitOneBufferIsRefusedWhenBuilt(int outputSize)
    {
        var options = new SequenceModelOptions { Network = new NetworkDescription(CellKind.Gru, 1, 1), OutputSize = outputSize };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceModel(options, maxBatch: 256, maxSteps: 256));
        Assert.Equal("options", e.ParamName);
        Assert.Contains($"{outputSize} outputs", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASeq2SeqModelWithoutTargetIdsNamesTheVocabulary()
    {
        var options = new Seq2SeqModelOptions { Cell = CellKind.Gru, SourceVocabulary = 5, TargetVocabulary = 0, Embedding = 3, Hidden = 3, BeginToken = 0, MaxBatch = 2, MaxSourceSteps = 3, MaxTargetSteps = 4 };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Seq2SeqModel(options));
        Assert.Contains("TargetVocabulary", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("0..-1", e.Message, StringComparison.Ordinal);
    }

    private sealed class Recorder(Action<TrainingProgress> record) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => record(value);
    }
}

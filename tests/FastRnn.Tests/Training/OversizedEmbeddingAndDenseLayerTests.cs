using System;
using FastRnn.Networks;
using FastRnn.Tests.Reliability;
using FastRnn.Training.Heads;
using FastRnn.Training.Models;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>
/// An embedding table or dense weight of more floats than an array holds is refused naming its sizes.
/// Before, V x D computed in int either went negative (OverflowException, "Arithmetic operation
/// resulted in an overflow") or wrapped to a smaller positive count, refused as a parameter whose
/// "605032704 values" did not fit its shape.
/// </summary>
public sealed class OversizedEmbeddingAndDenseLayerTests
{
    [Theory]
    [InlineData(100_000, 30_000)] // 3.0e9: negative in int
    [InlineData(70_000, 70_000)]  // 4.9e9: wraps to 605,032,704
    public void AnEmbeddingTooLargeForOneArrayNamesItsSizes(int vocabulary, int dimension)
    {
        Misuse.Refused<ArgumentOutOfRangeException>(
            () => _ = new Embedding("e", vocabulary, dimension, 1),
            $"embedding of {vocabulary} x {dimension} needs {(long)vocabulary * dimension} floats", "Parameter 'vocabulary'");
    }

    [Theory]
    [InlineData(50_000, 50_000)]
    [InlineData(70_000, 70_000)]
    public void ADenseLayerTooLargeForOneArrayNamesItsSizes(int inputs, int outputs)
    {
        Misuse.Refused<ArgumentOutOfRangeException>(
            () => _ = new DenseLayer("h", inputs, outputs, 1),
            $"{inputs} inputs and {outputs} outputs needs a weight of {(long)inputs * outputs} floats", "Parameter 'outputSize'");
    }

    [Fact]
    public void ModelsWithSuchAnEmbeddingSayWhichSizesAreTooLarge()
    {
        Misuse.Refused<ArgumentOutOfRangeException>(
            () => _ = new SequenceModel(new SequenceModelOptions { Network = new NetworkDescription(CellKind.Gru, 70_000, 4), Vocabulary = 70_000, OutputSize = 2 }, 1, 1),
            "embedding of 70000 x 70000");
        Misuse.Refused<ArgumentOutOfRangeException>(
            () => _ = new Seq2SeqModel(new Seq2SeqModelOptions { Cell = CellKind.Gru, SourceVocabulary = 100_000, TargetVocabulary = 6, Embedding = 30_000, Hidden = 4, BeginToken = 0, MaxBatch = 1, MaxSourceSteps = 1, MaxTargetSteps = 1 }),
            "embedding of 100000 x 30000");
    }

    [Fact]
    public void TheLargestSizesThatFitAreNotRefusedByTheCheck()
    {
        // One row short of the limit would allocate ~8 GB; check instead that the bound is the array limit, not int.MaxValue / something smaller.
        var layer = new DenseLayer("h", 1, 1 << 20, 1);
        Assert.Equal(1 << 20, layer.Weight.Value.Length);
        var embedding = new Embedding("e", 1 << 20, 2, 1);
        Assert.Equal(1 << 21, embedding.Weight.Value.Length);
    }
}

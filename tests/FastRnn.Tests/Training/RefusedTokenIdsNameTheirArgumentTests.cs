using System;
using FastRnn.Networks;
using FastRnn.Tests.Reliability;
using FastRnn.Training.Heads;
using FastRnn.Training.Models;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>
/// A token id outside a vocabulary is refused naming the argument it came from (a seq2seq call's
/// <c>source</c>, a sample's <c>prime</c>), not the embedding's internal <c>tokens</c>; and
/// <see cref="Embedding.Forward"/> checks every id before writing a row, so a refused lookup leaves
/// its output as it was.
/// </summary>
public sealed class RefusedTokenIdsNameTheirArgumentTests
{
    [Fact]
    public void ARefusedLookupLeavesTheOutputUntouched()
    {
        var embedding = new Embedding("e", 4, 2, 1);
        float[] output = Misuse.Sentinels(6);
        Misuse.Refused<ArgumentOutOfRangeException>(() => embedding.Forward([1, 2, 4], output), "tokens[2] = 4 is outside the vocabulary 0..3", "Parameter 'tokens'");
        Misuse.Untouched(output);
    }

    [Fact]
    public void Seq2SeqCallsNameTheSource()
    {
        var model = new Seq2SeqModel(new Seq2SeqModelOptions
        {
            Cell = CellKind.Lstm, SourceVocabulary = 5, TargetVocabulary = 6, Embedding = 3, Hidden = 4, BeginToken = 0, MaxBatch = 2, MaxSourceSteps = 3, MaxTargetSteps = 3,
        });
        int[] source = [0, 1, 2, 3, 7, 4];
        int[] output = [9, 9, 9, 9];
        Misuse.Refused<ArgumentOutOfRangeException>(() => model.Decode(source, 3, 2, 2, output), "source[4] = 7 is outside the vocabulary 0..4", "Parameter 'source'");
        Assert.Equal([9, 9, 9, 9], output);
        Misuse.Refused<ArgumentOutOfRangeException>(() => model.ForwardBackward(source, 3, [1, 2, 3, 4], 2, 2), "source[4] = 7", "Parameter 'source'");
        foreach (FastRnn.Training.Parameter p in model.Parameters)
        {
            Assert.All(p.Gradient, g => Assert.Equal(0f, g));
        }
    }

    [Fact]
    public void SampleNamesThePrime()
    {
        var model = new SequenceModel(new SequenceModelOptions { Network = new NetworkDescription(CellKind.Gru, 3, 4), Vocabulary = 5, OutputSize = 5 }, 1, 4);
        Misuse.Refused<ArgumentOutOfRangeException>(() => model.Sample([1, 2, -1], 3, 1f, 0), "prime[2] = -1 is outside the vocabulary 0..4", "Parameter 'prime'");
    }
}

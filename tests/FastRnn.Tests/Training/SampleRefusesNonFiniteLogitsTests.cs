using System;
using FastRnn.Networks;
using FastRnn.Tests.Reliability;
using FastRnn.Training.Models;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>
/// One-to-many sampling from head logits that are not a distribution (NaN, +∞, all −∞: a model whose
/// weights diverged) is refused, as torch.multinomial refuses such probabilities; it used to return
/// the last token id on every step, a plausible-looking sample. A single −∞ logit is a token of
/// probability 0, which is never drawn.
/// </summary>
public sealed class SampleRefusesNonFiniteLogitsTests
{
    private static SequenceModel Model() =>
        new(new SequenceModelOptions { Network = new NetworkDescription(CellKind.Gru, 3, 4), Vocabulary = 5, OutputSize = 5, Seed = 2 }, 1, 4);

    [Theory]
    [InlineData(float.NaN, 0)]
    [InlineData(float.NaN, 4)]
    [InlineData(float.PositiveInfinity, 2)]
    public void ANonFiniteLogitIsRefusedNamingIt(float value, int id)
    {
        SequenceModel model = Model();
        model.Head.Bias.Value[id] = value;
        Misuse.Refused<InvalidOperationException>(() => model.Sample([1, 2], 3, 1f, 0), "cannot draw token 0", $"logit[{id}] = {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
    }

    [Fact]
    public void LogitsThatAreAllMinusInfinityAreRefused()
    {
        SequenceModel model = Model();
        Array.Fill(model.Head.Bias.Value, float.NegativeInfinity);
        Misuse.Refused<InvalidOperationException>(() => model.Sample([1], 2, 0.5f, 0), "cannot draw token 0", "logit[0] = -Infinity", "maximum -Infinity");
    }

    [Fact]
    public void AMinusInfinityLogitIsNeverDrawnAndTheRestStillAre()
    {
        SequenceModel model = Model();
        int[] plain = model.Sample([1], 200, 5f, 7);
        Assert.Contains(3, plain); // at a high temperature every id turns up
        model.Head.Bias.Value[3] = float.NegativeInfinity;
        int[] masked = model.Sample([1], 200, 5f, 7);
        Assert.DoesNotContain(3, masked);
        Assert.Equal(4, new System.Collections.Generic.HashSet<int>(masked).Count);
        Assert.Equal(masked, model.Sample([1], 200, 5f, 7)); // same seed, same sample
    }
}

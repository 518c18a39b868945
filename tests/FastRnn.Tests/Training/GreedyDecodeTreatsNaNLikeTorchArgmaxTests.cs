using FastRnn.Networks;
using FastRnn.Training.Models;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>
/// Greedy decoding picks tokens as <c>torch.argmax</c> does: the first maximum, and a NaN score counts
/// as the largest (the first NaN wins). Before, a NaN score won only at id 0 and was passed over
/// anywhere else, so a diverged model decoded as plausible tokens that depended on where its NaN fell.
/// </summary>
public sealed class GreedyDecodeTreatsNaNLikeTorchArgmaxTests
{
    private static Seq2SeqModel Model() => new(new Seq2SeqModelOptions
    {
        Cell = CellKind.Gru, SourceVocabulary = 7, TargetVocabulary = 6, Embedding = 5, Hidden = 9, BeginToken = 5, MaxBatch = 2, MaxSourceSteps = 4, MaxTargetSteps = 3, Seed = 3,
    });

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(5)]
    public void ANaNScoreIsTheArgmax(int id)
    {
        Seq2SeqModel model = Model();
        model.Head.Bias.Value[id] = float.NaN;
        int[] output = new int[3 * 2];
        model.Decode([0, 1, 2, 3, 4, 5, 6, 0], 4, 2, 3, output);
        Assert.All(output, token => Assert.Equal(id, token));
    }

    [Fact]
    public void TheFirstOfTwoNaNScoresWins()
    {
        Seq2SeqModel model = Model();
        model.Head.Bias.Value[4] = float.NaN;
        model.Head.Bias.Value[2] = float.NaN;
        int[] output = new int[3];
        model.Decode([1, 2, 3, 4], 4, 1, 3, output);
        Assert.Equal([2, 2, 2], output);
    }

    [Fact]
    public void TheFirstOfEqualScoresWins()
    {
        Seq2SeqModel model = Model();
        System.Array.Clear(model.Head.Weight.Value);
        System.Array.Fill(model.Head.Bias.Value, 0.25f);
        model.Head.Bias.Value[0] = -1f;
        int[] output = new int[4];
        model.Decode([1, 2, 3, 4, 5, 6, 0, 1], 4, 2, 2, output);
        Assert.Equal([1, 1, 1, 1], output);
    }
}

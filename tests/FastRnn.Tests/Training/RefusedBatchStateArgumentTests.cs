using System;
using FastRnn.Networks;
using FastRnn.Training.Models;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>
/// A <see cref="SequenceModel.ForwardBackward"/> refused for its lengths or initial states (checked by
/// the recurrent network's forward pass) changes nothing, as one refused for its targets does: the
/// dropout generators do not move on, so a seeded run that met a bad batch trains exactly as one that
/// did not (src/FastRnn/README.md, "Guarantees": bad arguments fail before anything is changed).
/// </summary>
public sealed class RefusedBatchStateArgumentTests
{
    private static readonly SequenceModelOptions Options = new()
    {
        Network = new NetworkDescription(CellKind.Lstm, 2, 3) { NumLayers = 2 },
        OutputSize = 2,
        InputDropout = 0.3f,
        LayerDropout = 0.2f,
        OutputDropout = 0.25f,
        Seed = 3,
    };

    private static readonly float[] Features = Sines(12);

    public static TheoryData<string> RefusedBatches() => new() { "lengths of 0", "a length past T", "lengths of another batch", "a short initial hidden state", "a short initial cell state" };

    [Theory]
    [MemberData(nameof(RefusedBatches))]
    public void ABatchRefusedForItsLengthsOrStatesMovesNoDropoutGenerator(string refusal)
    {
        var refused = new SequenceModel(Options, 2, 3);
        var clean = new SequenceModel(Options, 2, 3);
        var good = new SequenceBatch { Steps = 3, Batch = 2, Features = Features, TargetClasses = [0, 1, 1, 0, -1, 1] };
        Assert.Equal(clean.ForwardBackward(good), refused.ForwardBackward(good));
        float[] hidden = refused.FinalHidden.ToArray();

        Assert.ThrowsAny<ArgumentException>(() => refused.ForwardBackward(Refused(refusal)));
        Assert.Equal(hidden, refused.FinalHidden.ToArray());

        // Nothing moved on: the next good batch draws the same masks, so the same loss and gradients.
        Assert.Equal(clean.ForwardBackward(good), refused.ForwardBackward(good));
        for (int i = 0; i < clean.Parameters.Count; i++)
        {
            Assert.Equal(clean.Parameters[i].Gradient, refused.Parameters[i].Gradient);
        }
    }

    // Each refused for one argument the network's forward pass checks; the targets are right.
    private static SequenceBatch Refused(string refusal) => new()
    {
        Steps = 3,
        Batch = 2,
        Features = Features,
        TargetClasses = new[] { 0, 1, 1, 0, -1, 1 },
        Lengths = refusal switch
        {
            "lengths of 0" => new[] { 3, 0 },
            "a length past T" => new[] { 4, 1 },
            "lengths of another batch" => new[] { 3 },
            _ => null,
        },
        InitialHidden = refusal == "a short initial hidden state" ? new float[(2 * 2 * 3) - 1] : null,
        InitialCell = refusal == "a short initial cell state" ? new float[(2 * 2 * 3) - 1] : null,
    };

    private static float[] Sines(int length)
    {
        float[] values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = MathF.Sin(i);
        }

        return values;
    }
}

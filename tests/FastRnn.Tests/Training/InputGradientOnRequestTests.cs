using System;
using FastRnn.Networks;
using FastRnn.Tests.Networks;
using FastRnn.Training;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>
/// Backward computes the first layer's input gradient (a product with W_ih) only when the caller asks
/// for it. Skipping it must change nothing else: the weight and initial-state gradients are
/// bit-identical with and without the input gradient, and a later Backward that asks for it gives what
/// a session that always asked gives (the skipped call leaves nothing stale behind).
/// </summary>
public sealed class InputGradientOnRequestTests
{
    public static TheoryData<CellKind, CellVariant, int, int, bool, int> Networks() => new()
    {
        { CellKind.Lstm, CellVariant.Standard, 0, 1, false, 1 },
        { CellKind.Lstm, CellVariant.Peephole, 3, 2, true, 2 },
        { CellKind.Gru, CellVariant.ResetBefore, 0, 2, false, 2 },
        { CellKind.Gru, CellVariant.Standard, 0, 1, true, 1 },
        { CellKind.RnnRelu, CellVariant.Standard, 0, 3, false, 1 },
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void SkippingTheInputGradientChangesNoOtherGradient(CellKind kind, CellVariant variant, int projection, int layers, bool bidirectional, int threads)
    {
        const int inputSize = 5, hiddenSize = 7, steps = 4, batch = 3;
        var description = new NetworkDescription(kind, inputSize, hiddenSize)
        {
            Variant = variant, ProjectionSize = projection, NumLayers = layers, Bidirectional = bidirectional,
        };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, 11);
        var random = new Random(3);
        float[] input = NetworkFactory.ToFloat(NetworkFactory.RandomFloats(random, steps * batch * inputSize, 1))!;
        float[] gradOutput = NetworkFactory.ToFloat(NetworkFactory.RandomFloats(random, steps * batch * description.OutputSize, 1))!;
        float[] output = new float[gradOutput.Length];
        int stateFloats = layers * description.Directions * batch * description.StateSize;
        int[] lengths = [4, 2, 3];

        // The judge: a session that always asks for the input gradient.
        using var asking = new TrainingSession(network, batch, steps, threads: threads);
        asking.Forward(input, steps, batch, output, lengths: lengths);
        var expected = new GradientBuffer(network);
        float[] expectedInput = new float[input.Length], expectedH0 = new float[stateFloats];
        asking.Backward(gradOutput, expected, default, expectedInput, new InitialStateGradient(expectedH0, default));

        using var session = new TrainingSession(network, batch, steps, threads: threads);
        session.Forward(input, steps, batch, output, lengths: lengths);
        var skipped = new GradientBuffer(network);
        float[] skippedH0 = new float[stateFloats];
        session.Backward(gradOutput, skipped, default, default, new InitialStateGradient(skippedH0, default));
        foreach (string name in expected.Names)
        {
            Assert.True(expected.Get(name).SequenceEqual(skipped.Get(name)), $"{name} differs when the input gradient is not asked for");
        }

        Assert.Equal(expectedH0, skippedH0);

        // Asked for again after a call that skipped it.
        var again = new GradientBuffer(network);
        float[] againInput = new float[input.Length];
        session.Backward(gradOutput, again, default, againInput);
        Assert.Equal(expectedInput, againInput);
        Assert.Contains(expectedInput, v => v != 0f);
    }
}

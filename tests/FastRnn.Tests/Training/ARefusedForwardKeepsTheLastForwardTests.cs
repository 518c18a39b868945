using System;
using FastRnn.Networks;
using FastRnn.Tests.Networks;
using FastRnn.Training;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>
/// Bad arguments fail before anything is changed (README, "Guarantees"): a refused Forward leaves
/// the last completed Forward ready for Backward, with the same gradients as without the refused call.
/// </summary>
public sealed class ARefusedForwardKeepsTheLastForwardTests
{
    [Fact]
    public void BackwardAfterARefusedForwardGivesTheLastForwardsGradients()
    {
        var description = new NetworkDescription(CellKind.Lstm, 3, 4) { NumLayers = 2 };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, 5);
        const int steps = 3, batch = 2;
        var random = new Random(4);
        float[] input = NetworkFactory.ToFloat(NetworkFactory.RandomFloats(random, steps * batch * 3, 1))!;
        float[] gradOutput = NetworkFactory.ToFloat(NetworkFactory.RandomFloats(random, steps * batch * 4, 1))!;
        float[] output = new float[gradOutput.Length];
        int[] lengths = [3, 2];

        using var plain = new TrainingSession(network, batch, steps);
        plain.Forward(input, steps, batch, output, lengths: lengths);
        var expected = new GradientBuffer(network);
        plain.Backward(gradOutput, expected);

        using var session = new TrainingSession(network, batch, steps);
        session.Forward(input, steps, batch, output, lengths: lengths);
        Assert.Throws<ArgumentException>(() => session.Forward(new float[input.Length - 1], steps, batch, output));
        Assert.Throws<ArgumentOutOfRangeException>(() => session.Forward(input, steps + 1, batch, output));
        Assert.Throws<ArgumentOutOfRangeException>(() => session.Forward(input, steps, batch, output, lengths: new[] { 0, 3 }));
        var actual = new GradientBuffer(network);
        session.Backward(gradOutput, actual);

        foreach (string name in expected.Names)
        {
            Assert.Equal(expected.Get(name).ToArray(), actual.Get(name).ToArray());
        }
    }
}

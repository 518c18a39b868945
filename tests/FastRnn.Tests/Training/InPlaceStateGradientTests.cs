using System;
using System.Collections.Generic;
using FastRnn.Networks;
using FastRnn.Tests.Networks;
using FastRnn.Training;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>
/// The gradient of a final state may be exactly the buffer that receives the initial state's
/// gradient (README, "Guarantees"): stacked and bidirectional, with lengths, the result is the
/// same as with separate buffers.
/// </summary>
public sealed class InPlaceStateGradientTests
{
    [Theory]
    [InlineData(CellKind.Lstm, 1)]
    [InlineData(CellKind.Lstm, 2)]
    [InlineData(CellKind.Gru, 2)]
    public void FinalStateGradientsMayBeTheInitialStateGradientsBuffers(CellKind kind, int threads)
    {
        var description = new NetworkDescription(kind, 3, 4) { NumLayers = 2, Bidirectional = true };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, 3);
        const int steps = 3, batch = 2;
        int[] lengths = [3, 1];
        var random = new Random(2);
        float[] Random(int count) => NetworkFactory.ToFloat(NetworkFactory.RandomFloats(random, count, 1))!;
        bool lstm = kind == CellKind.Lstm;
        float[] input = Random(steps * batch * 3), gradOutput = Random(steps * batch * 8);
        float[] gradHn = Random(4 * batch * 4);
        float[]? gradCn = lstm ? Random(4 * batch * 4) : null;
        Dictionary<string, float[]> expected = TrainingHarness.Gradients(network, input, steps, batch, null, null, lengths, gradOutput, gradHn, gradCn, threads);

        using var session = new TrainingSession(network, batch, steps, threads: threads);
        session.Forward(input, steps, batch, new float[gradOutput.Length], lengths: lengths);
        float[] hidden = (float[])gradHn.Clone();
        float[]? cell = (float[]?)gradCn?.Clone();
        session.Backward(gradOutput, new GradientBuffer(network), new FinalStateGradient(hidden, cell), default, new InitialStateGradient(hidden, cell));
        Assert.Equal(expected["grad.h0"], hidden);
        if (lstm)
        {
            Assert.Equal(expected["grad.c0"], cell);
        }
    }
}

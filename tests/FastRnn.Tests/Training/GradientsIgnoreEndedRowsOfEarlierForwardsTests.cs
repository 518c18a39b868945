using System;
using System.Linq;
using FastRnn.Networks;
using FastRnn.Tests.Networks;
using FastRnn.Training;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>
/// A session is reused batch after batch. A row that ended before a step has zero gradient there, so
/// nothing an earlier Forward left in that row's history (a NaN from a bad batch, say) may reach
/// this batch's gradients: they must equal a fresh session's, bit for bit.
/// </summary>
public sealed class GradientsIgnoreEndedRowsOfEarlierForwardsTests
{
    [Theory]
    [InlineData(CellKind.Lstm, CellVariant.Standard, 2, false, 1)]
    [InlineData(CellKind.Lstm, CellVariant.Standard, 2, true, 2)]
    [InlineData(CellKind.Lstm, CellVariant.Peephole, 3, false, 1)]
    [InlineData(CellKind.Gru, CellVariant.ResetBefore, 0, false, 1)]
    [InlineData(CellKind.Gru, CellVariant.ResetBefore, 0, true, 2)]
    [InlineData(CellKind.Gru, CellVariant.Standard, 0, false, 1)]
    [InlineData(CellKind.RnnTanh, CellVariant.Standard, 0, false, 2)]
    public void ANaNBatchLeavesTheNextBatchsGradientsUntouched(CellKind kind, CellVariant variant, int projection, bool bidirectional, int threads)
    {
        var description = new NetworkDescription(kind, 3, 5) { Variant = variant, ProjectionSize = projection, NumLayers = 2, Bidirectional = bidirectional };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, 3);
        const int steps = 4, batch = 3;
        int[] lengths = [steps, 1, 2];
        var random = new Random(1);

        // A bad batch: NaN in every step of its last two sequences.
        float[] bad = NetworkFactory.ToFloat(NetworkFactory.RandomFloats(random, steps * batch * 3, 1))!;
        for (int t = 0; t < steps; t++)
        {
            bad[((t * batch) + 1) * 3] = float.NaN;
            bad[((t * batch) + 2) * 3] = float.NaN;
        }

        float[] input = NetworkFactory.ToFloat(NetworkFactory.RandomFloats(random, steps * batch * 3, 1))!;
        float[] gradOutput = NetworkFactory.ToFloat(NetworkFactory.RandomFloats(random, steps * batch * description.OutputSize, 1))!;
        float[] output = new float[gradOutput.Length];

        using var reused = new TrainingSession(network, batch, steps, threads: threads);
        reused.Forward(bad, steps, batch, output);
        reused.Forward(input, steps, batch, output, lengths: lengths);
        var actual = new GradientBuffer(network);
        float[] actualInput = new float[input.Length];
        reused.Backward(gradOutput, actual, gradInput: actualInput);

        using var fresh = new TrainingSession(network, batch, steps, threads: threads);
        fresh.Forward(input, steps, batch, output, lengths: lengths);
        var expected = new GradientBuffer(network);
        float[] expectedInput = new float[input.Length];
        fresh.Backward(gradOutput, expected, gradInput: expectedInput);

        Assert.Equal(expectedInput, actualInput);
        foreach (string name in expected.Names)
        {
            float[] e = expected.Get(name).ToArray(), a = actual.Get(name).ToArray();
            Assert.True(e.SequenceEqual(a), $"{name}: [{string.Join(", ", a)}], a fresh session gives [{string.Join(", ", e)}]");
        }
    }
}

using System;
using FastRnn.Cells;
using FastRnn.Layers;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// Which one-stream steps are split between threads: a session's step from 128 Ki multiply-adds a
/// share (shares of 64 Ki lost 11-30 % on two threads on the AMD Zen 5 of perf-results), a
/// sequence's step from 32 Ki (one barrier a step instead of a hand-off and a join). A sequence whose
/// steps stay on one thread keeps its input product there too, so adding threads cannot slow it.
/// </summary>
public sealed class SplitThresholdTests
{
    [Theory]
    [InlineData(CellKind.RnnTanh, 256, 1)] // 64 Ki multiply-adds a share: 0.70-0.89x on two threads on the Zen 5
    [InlineData(CellKind.Lstm, 128, 1)]    // 64 Ki: 0.71-0.84x on the Zen 5
    [InlineData(CellKind.Gru, 256, 2)]     // 192 Ki: 1.5-2.2x on the Zen 5
    [InlineData(CellKind.Lstm, 256, 2)]    // 256 Ki: 1.6-2.0x
    [InlineData(CellKind.RnnTanh, 512, 2)] // 256 Ki: 1.4-2.0x
    public void ASessionStepIsSplitFrom128KiMultiplyAddsAShare(CellKind kind, int hidden, int parts)
    {
        CellWeights w = RecurrentNetwork.CreateRandom(new NetworkDescription(kind, hidden, hidden), 1).Cells[0];
        Assert.Equal(parts, StepThreads.PartsFor(w, 1, withInput: true, 2));
    }

    [Theory]
    [InlineData(CellKind.RnnTanh, 256, 2)] // 32 Ki a share: 1.34-1.38x on the Intel Xeon
    [InlineData(CellKind.Lstm, 128, 2)]    // 32 Ki: 1.43-1.46x on the Xeon
    [InlineData(CellKind.Gru, 128, 1)]     // 24 Ki
    [InlineData(CellKind.RnnTanh, 128, 1)] // 8 Ki
    public void ASequenceStepIsSplitFrom32KiMultiplyAddsAShare(CellKind kind, int hidden, int parts)
    {
        CellWeights w = RecurrentNetwork.CreateRandom(new NetworkDescription(kind, hidden, hidden), 1).Cells[0];
        Assert.Equal(parts, StepThreads.SequencePartsFor(w, 1, 2));
    }

    [Fact]
    public void OneStreamWhoseStepsStayOnOneThreadKeepsItsInputProductThere()
    {
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Gru, 64, 64), 5);
        const int steps = 20;
        float[] input = new float[2 * steps * 64];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = MathF.Sin(i * 0.37f);
        }

        SequenceWorkspace one = network.CreateWorkspace(1, steps, threads: 2);
        float[] alone = new float[steps * 64], shared = new float[steps * 64];
        network.Forward(network.CreateWorkspace(1, steps), input.AsSpan(0, steps * 64), steps, 1, alone);
        network.Forward(one, input.AsSpan(0, steps * 64), steps, 1, shared);
        Assert.False(one.Runner.Region.HasStartedWorkers, "one stream too small to split its steps must not hand its input product to another core");
        Assert.Equal(alone, shared);

        SequenceWorkspace two = network.CreateWorkspace(2, steps, threads: 2);
        network.Forward(two, input, steps, 2, new float[2 * steps * 64]);
        Assert.True(two.Runner.Region.HasStartedWorkers, "two streams on two threads share the input product and the rows");
    }
}

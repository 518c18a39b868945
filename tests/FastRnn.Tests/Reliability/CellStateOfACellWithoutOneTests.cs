using System;
using FastRnn.Layers;
using FastRnn.Networks;
using FastRnn.Training;
using Xunit;

namespace FastRnn.Tests.Reliability;

/// <summary>
/// A whole-sequence call given a cell state for a GRU or RNN (which have none) is refused naming the
/// argument that holds it and its length, as every other state argument of the call is, so a caller
/// with four state buffers knows which one to drop.
/// </summary>
public sealed class CellStateOfACellWithoutOneTests
{
    private const int Steps = 3, Batch = 2, Input = 4, Hidden = 5;

    [Theory]
    [InlineData(CellKind.Gru)]
    [InlineData(CellKind.RnnTanh)]
    public void ForwardNamesTheCellArgumentAndItsLength(CellKind kind)
    {
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(kind, Input, Hidden), 1);
        SequenceWorkspace ws = network.CreateWorkspace(Batch, Steps);
        float[] input = new float[Steps * Batch * Input], output = Misuse.Sentinels(Steps * Batch * Hidden);
        float[] hidden = Misuse.Sentinels(Batch * Hidden), cell = Misuse.Sentinels(Batch * Hidden);

        var initial = Assert.Throws<ArgumentException>(() => network.Forward(ws, input, Steps, Batch, output, new InitialState(hidden, cell)));
        Assert.Equal("initial.Cell", initial.ParamName);
        Assert.Contains($"A {kind} network has no cell state", initial.Message, StringComparison.Ordinal);
        Assert.Contains("got 10 floats", initial.Message, StringComparison.Ordinal);

        var final = Assert.Throws<ArgumentException>(() => network.Forward(ws, input, Steps, Batch, output, final: new FinalState(hidden, cell)));
        Assert.Equal("final.Cell", final.ParamName);
        Assert.Contains("got 10 floats", final.Message, StringComparison.Ordinal);

        var training = Assert.Throws<ArgumentException>(() => new TrainingSession(network, Batch, Steps).Forward(input, Steps, Batch, output, new InitialState(hidden, cell)));
        Assert.Equal("initial.Cell", training.ParamName);
        Misuse.Untouched(output, hidden, cell);
    }
}

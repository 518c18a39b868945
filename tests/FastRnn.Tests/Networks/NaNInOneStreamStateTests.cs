using System;
using FastRnn.Networks;
using FastRnn.Sessions;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// A NaN set into one stream's state (SetState accepts it, as PyTorch accepts a NaN h_0) makes that
/// stream NaN and leaves the other rows of the batch bit-identical, in every weight format and with
/// the step shared by two threads; Reset brings the session back to a clean start.
/// </summary>
public sealed class NaNInOneStreamStateTests
{
    [Theory]
    [InlineData(CellKind.Lstm, WeightFormat.Int8, 1)]
    [InlineData(CellKind.Lstm, WeightFormat.Int8, 2)]
    [InlineData(CellKind.Lstm, WeightFormat.Float32, 2)]
    [InlineData(CellKind.Gru, WeightFormat.BFloat16, 2)]
    [InlineData(CellKind.Gru, WeightFormat.Float32, 2)]
    [InlineData(CellKind.RnnTanh, WeightFormat.Int8, 1)]
    public void ANaNStateStaysInItsRowAndResetClearsIt(CellKind kind, WeightFormat format, int threads)
    {
        const int hidden = 256, batch = 3;
        RecurrentNetwork network = StreamCells.Network(kind, CellVariant.Standard, false, format, hidden);
        NetworkDescription d = network.Description;
        var random = new Random(2);
        float[] h0 = StreamCells.Uniform(random, d.NumLayers * batch * hidden), c0 = d.HasCellState ? StreamCells.Uniform(random, d.NumLayers * batch * hidden) : [];
        float[] x = StreamCells.Uniform(random, batch * d.InputSize);
        using StreamingSession clean = network.CreateSession(batch, threads), dirty = network.CreateSession(batch, threads);
        float[] expected = new float[batch * hidden], actual = new float[batch * hidden];
        clean.SetState(h0, c0, batch);
        h0[5] = float.NaN; // layer 0, row 0
        dirty.SetState(h0, c0, batch);
        for (int t = 0; t < 2; t++)
        {
            clean.Step(x, batch, expected);
            dirty.Step(x, batch, actual);
        }

        Assert.True(actual.AsSpan(hidden).SequenceEqual(expected.AsSpan(hidden)), "rows 1..2 changed");
        Assert.True(float.IsNaN(actual[0]), "row 0 is not NaN");
        clean.Reset();
        dirty.Reset();
        clean.Step(x, batch, expected);
        dirty.Step(x, batch, actual);
        Assert.Equal(expected, actual);
    }
}

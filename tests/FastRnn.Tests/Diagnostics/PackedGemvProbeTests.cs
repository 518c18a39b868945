using System;
using FastRnn.Diagnostics;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Diagnostics;

/// <summary>The public API the CLI uses instead of the core's internals: the GEMV probe of <c>fastrnn bench</c> and the ONNX options text of <c>fastrnn import</c>.</summary>
public sealed class PackedGemvProbeTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(17)]
    [InlineData(33)]
    public void OneGateAccumulatesWTimesXInUnitOrder(int units)
    {
        const int columns = 7;
        float[] w = new float[units * columns];
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = ((i % 11) - 5) * 0.125f;
        }

        float[] x = [1f, -2f, 0.5f, 3f, -1f, 0.25f, 2f];
        var probe = new PackedGemvProbe(w, 1, units, columns);
        probe.MultiplyAdd(x);
        probe.MultiplyAdd(x);
        Assert.Equal(columns, probe.Columns);
        for (int u = 0; u < units; u++)
        {
            double expected = 0;
            for (int c = 0; c < columns; c++)
            {
                expected += w[(u * columns) + c] * x[c];
            }

            Assert.Equal(2 * expected, probe.Output[u], 5);
        }
    }

    [Fact]
    public void BadShapesAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PackedGemvProbe(new float[5 * 4], 5, 1, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PackedGemvProbe(new float[4], 1, 1, 0));
        var probe = new PackedGemvProbe(new float[8], 2, 1, 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => probe.MultiplyAdd(new float[3]));
    }

    [Fact]
    public void OnnxOptionsAreFormattedInOrderAndEmptyForNone()
    {
        Assert.Equal(string.Empty, new NetworkDescription(CellKind.Lstm, 3, 4).FormatOnnxOptions());
        Assert.Equal(", reverse, clip 1.5, input_forget", new NetworkDescription(CellKind.Lstm, 3, 4) { Reverse = true, Clip = 1.5f, CoupledInputForget = true }.FormatOnnxOptions());
    }
}

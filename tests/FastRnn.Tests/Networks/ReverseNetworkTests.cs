using System;
using System.Collections.Generic;
using FastRnn.Networks;
using FastRnn.Tests.Onnx;
using FastRnn.Tests.Training;
using FastRnn.Training;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// A reverse network (ONNX direction "reverse") is, by definition, the forward network run on each
/// sequence reversed within its length, with its outputs reversed back: checked for outputs, final
/// states and every gradient, for every cell kind, stacked, with lengths and initial states.
/// </summary>
public class ReverseNetworkTests
{
    public static TheoryData<CellKind, CellVariant, int, int, bool> Configurations() => new()
    {
        { CellKind.Lstm, CellVariant.Standard, 0, 1, false },
        { CellKind.Lstm, CellVariant.Peephole, 0, 2, false },
        { CellKind.Lstm, CellVariant.Standard, 3, 2, true },
        { CellKind.Gru, CellVariant.Standard, 0, 2, false },
        { CellKind.Gru, CellVariant.ResetBefore, 0, 1, true },
        { CellKind.RnnTanh, CellVariant.Standard, 0, 2, false },
        { CellKind.RnnRelu, CellVariant.Standard, 0, 1, false },
    };

    private const int Input = 5, Hidden = 7, Steps = 6, Batch = 3;
    private static readonly int[] Lengths = [4, 6, 1];

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Reverse_forward_is_the_forward_network_on_reversed_sequences(CellKind kind, CellVariant variant, int proj, int layers, bool batchFirst)
    {
        (RecurrentNetwork reverse, RecurrentNetwork forward) = Pair(kind, variant, proj, layers, batchFirst);
        NetworkDescription d = reverse.Description;
        (float[] x, float[] h0, float[]? c0) = Inputs(d, 1);

        (float[] yReverse, float[] hReverse, float[]? cReverse) = Run(reverse, x, h0, c0);
        (float[] yForward, float[] hForward, float[]? cForward) = Run(forward, Reversed(x, Input, batchFirst), h0, c0);

        Assert.Equal(Reversed(yForward, d.OutputSize, batchFirst), yReverse);
        Assert.Equal(hForward, hReverse);
        Assert.Equal(cForward, cReverse);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Reverse_gradients_are_the_forward_network_gradients_on_reversed_sequences(CellKind kind, CellVariant variant, int proj, int layers, bool batchFirst)
    {
        (RecurrentNetwork reverse, RecurrentNetwork forward) = Pair(kind, variant, proj, layers, batchFirst);
        NetworkDescription d = reverse.Description;
        (float[] x, float[] h0, float[]? c0) = Inputs(d, 4);
        float[] gy = Values(Steps * Batch * d.OutputSize, 7);
        float[] ghn = Values(layers * Batch * d.StateSize, 8);
        float[]? gcn = d.HasCellState ? Values(layers * Batch * Hidden, 9) : null;
        // The loss only sees valid steps (outputs past a length are zero), so their cotangents must not matter either.
        Dictionary<string, float[]> ofReverse = TrainingHarness.Gradients(reverse, x, Steps, Batch, h0, c0, Lengths, gy, ghn, gcn);
        Dictionary<string, float[]> ofForward = TrainingHarness.Gradients(
            forward, Reversed(x, Input, batchFirst), Steps, Batch, h0, c0, Lengths, Reversed(gy, d.OutputSize, batchFirst), ghn, gcn);

        Assert.Equal(ofForward.Count, ofReverse.Count);
        foreach ((string name, float[] expected) in ofForward)
        {
            float[] actual = name == "grad.input" ? Reversed(ofReverse[name], Input, batchFirst) : ofReverse[name];
            double scale = 1e-6, error = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                scale = Math.Max(scale, Math.Abs(expected[i]));
                error = Math.Max(error, Math.Abs(actual[i] - expected[i]));
            }

            // Weight gradients sum the same terms over time in another order: equal to float rounding.
            Assert.True(error <= 1e-5 * scale, $"{name}: max |reverse - forward| = {error:E2}, max |forward| = {scale:E2}");
        }
    }

    [Fact]
    public void Reverse_and_bidirectional_together_are_refused()
    {
        var d = new NetworkDescription(CellKind.Lstm, 3, 4) { Reverse = true, Bidirectional = true };
        ArgumentException e = Assert.Throws<ArgumentException>(d.Validate);
        Assert.Contains("reverse and bidirectional", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reverse_network_cannot_stream_or_train_truncated()
    {
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Gru, 3, 4) { Reverse = true }, 1);
        Assert.Contains("reverse network", Assert.Throws<NotSupportedException>(() => network.CreateSession()).Message, StringComparison.Ordinal);
        Assert.Contains("reverse network", Assert.Throws<NotSupportedException>(() => new TruncatedBptt(network, 1, 4)).Message, StringComparison.Ordinal);
    }

    private static (RecurrentNetwork Reverse, RecurrentNetwork Forward) Pair(CellKind kind, CellVariant variant, int proj, int layers, bool batchFirst)
    {
        var forward = new NetworkDescription(kind, Input, Hidden) { Variant = variant, ProjectionSize = proj, NumLayers = layers, BatchFirst = batchFirst };
        // Same shapes, so the same seed gives the same weights.
        return (RecurrentNetwork.CreateRandom(forward with { Reverse = true }, 11), RecurrentNetwork.CreateRandom(forward, 11));
    }

    // Input, h_0 and c_0 (LSTM) from three consecutive seeds.
    private static (float[] Input, float[] Hidden, float[]? Cell) Inputs(NetworkDescription d, int seed) =>
        (Values(Steps * Batch * Input, seed), Values(d.NumLayers * Batch * d.StateSize, seed + 1), d.HasCellState ? Values(d.NumLayers * Batch * Hidden, seed + 2) : null);

    private static (float[] Output, float[] Hidden, float[]? Cell) Run(RecurrentNetwork network, float[] x, float[] h0, float[]? c0)
    {
        NetworkDescription d = network.Description;
        float[] y = new float[Steps * Batch * d.OutputSize];
        float[] hn = new float[h0.Length];
        float[]? cn = c0 is null ? null : new float[c0.Length];
        network.Forward(network.CreateWorkspace(Batch, Steps), x, Steps, Batch, y, new InitialState(h0, c0), new FinalState(hn, cn), Lengths);
        return (y, hn, cn);
    }

    // Each sequence's valid steps in reverse order; steps past its length stay where they are.
    private static float[] Reversed(float[] values, int features, bool batchFirst)
    {
        float[] result = (float[])values.Clone();
        for (int b = 0; b < Batch; b++)
        {
            for (int t = 0; t < Lengths[b]; t++)
            {
                int from = Index(Lengths[b] - 1 - t, b, features, batchFirst), to = Index(t, b, features, batchFirst);
                Array.Copy(values, from, result, to, features);
            }
        }

        return result;
    }

    private static int Index(int t, int b, int features, bool batchFirst) =>
        (batchFirst ? (b * Steps) + t : (t * Batch) + b) * features;

    private static float[] Values(int count, int seed) => OnnxNodeSpec.RandomValues(count, seed);
}

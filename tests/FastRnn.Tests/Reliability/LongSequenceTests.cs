using System;
using FastRnn.Networks;
using FastRnn.Sessions;
using FastRnn.Training;
using Xunit;

namespace FastRnn.Tests.Reliability;

/// <summary>T = 10,000 runs forward and backward without overflowing an index or a workspace.</summary>
public sealed class LongSequenceTests
{
    private const int Steps = 10_000, Batch = 2, Input = 3, Hidden = 8;

    [Theory]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    [InlineData(CellKind.RnnTanh)]
    public void TenThousandStepsRunForwardAndBackwardWithFiniteResults(CellKind kind)
    {
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(kind, Input, Hidden) { NumLayers = 2 }, 31);
        var random = new Random(32);
        float[] input = new float[Steps * Batch * Input];
        float[] gradOutput = new float[Steps * Batch * Hidden];
        Fill(random, input);
        Fill(random, gradOutput);
        int[] lengths = [Steps, 7_001];
        float[] output = new float[Steps * Batch * Hidden];
        float[] finalHidden = new float[2 * Batch * Hidden];
        var session = new TrainingSession(network, Batch, Steps);
        session.Forward(input, Steps, Batch, output, final: new FinalState(finalHidden), lengths: lengths);

        var gradients = new GradientBuffer(network);
        float[] gradInput = new float[input.Length];
        session.Backward(gradOutput, gradients, gradInput: gradInput);

        Assert.All(output, value => Assert.True(float.IsFinite(value)));
        Assert.All(gradInput, value => Assert.True(float.IsFinite(value)));
        foreach (string name in gradients.Names)
        {
            Assert.All(gradients.Get(name).ToArray(), value => Assert.True(float.IsFinite(value), $"{name} holds {value}"));
        }

        // The sequence stopped at 7,001 steps: zero output and zero input gradient after it.
        for (int t = 7_001; t < Steps; t++)
        {
            Assert.All(output.AsSpan(((t * Batch) + 1) * Hidden, Hidden).ToArray(), value => Assert.Equal(0f, value));
            Assert.All(gradInput.AsSpan(((t * Batch) + 1) * Input, Input).ToArray(), value => Assert.Equal(0f, value));
        }

        // The last step agrees bit for bit with 10,000 streaming steps of the same sequence.
        StreamingSession stream = network.CreateSession();
        float[] h = new float[Hidden];
        for (int t = 0; t < Steps; t++)
        {
            stream.Step(input.AsSpan(t * Batch * Input, Input), 1, h);
        }

        Assert.Equal(h, output.AsSpan((Steps - 1) * Batch * Hidden, Hidden).ToArray());
    }

    private static void Fill(Random random, float[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }
    }
}

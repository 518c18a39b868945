using System;
using System.Collections.Generic;
using FastRnn.IO;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Reliability;

/// <summary>
/// NaN and ±Inf never crash anything: NaN reaches exactly the outputs that depend on it, ±Inf and
/// huge inputs saturate bounded cells, other sequences of the batch are untouched, and non-finite
/// weights are refused at load (and propagate as NaN if training produces them).
/// </summary>
public sealed class NonFiniteTests
{
    private const int Steps = 5, Batch = 3, Input = 4, Hidden = 5, Row = 1, At = 2;

    public static TheoryData<CellKind> Kinds() => [CellKind.Lstm, CellKind.Gru, CellKind.RnnTanh, CellKind.RnnRelu];

    public static TheoryData<CellKind> BoundedKinds() => [CellKind.Lstm, CellKind.Gru, CellKind.RnnTanh];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void NaNInOneInputMakesThatSequenceNaNFromThatStepOnAndLeavesTheOthersBitIdentical(CellKind kind)
    {
        RecurrentNetwork network = Network(kind);
        float[] clean = Inputs();
        float[] poisoned = (float[])clean.Clone();
        poisoned[Index(At, Row, 0, Input)] = float.NaN;

        float[] expected = Run(network, clean), actual = Run(network, poisoned);
        for (int t = 0; t < Steps; t++)
        {
            for (int b = 0; b < Batch; b++)
            {
                for (int u = 0; u < Hidden; u++)
                {
                    float value = actual[Index(t, b, u, Hidden)];
                    if (b == Row && t >= At)
                    {
                        Assert.True(float.IsNaN(value), $"{kind}: output[{t}, {b}, {u}] = {value}, expected NaN");
                    }
                    else
                    {
                        Assert.Equal(BitConverter.SingleToInt32Bits(expected[Index(t, b, u, Hidden)]), BitConverter.SingleToInt32Bits(value));
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(BoundedKinds))]
    public void HugeInputsSaturateBoundedCellsWithoutNaN(CellKind kind)
    {
        RecurrentNetwork network = Network(kind);
        foreach (float extreme in new[] { 1e30f, -1e30f })
        {
            float[] inputs = Inputs();
            for (int i = 0; i < Input; i++)
            {
                inputs[Index(At, Row, i, Input)] = extreme;
            }

            inputs[Index(0, 0, 0, Input)] = -extreme;
            float[] expected = Run(network, Inputs()), actual = Run(network, inputs);
            foreach (float value in actual)
            {
                Assert.True(value is >= -1f and <= 1f, $"{kind}: input {extreme} gave {value}, outside [-1, 1]");
            }

            AssertSequenceUnchanged(expected, actual, 2);
        }
    }

    [Theory]
    [MemberData(nameof(BoundedKinds))]
    public void InfiniteInputsSaturateAloneAndGiveNaNWhereInfinitiesOfBothSignsMeet(CellKind kind)
    {
        RecurrentNetwork network = Network(kind);
        float[] clean = Run(network, Inputs());

        // One infinite feature: every gate pre-activation is ±Inf, and the gates saturate.
        float[] single = Inputs();
        single[Index(At, Row, 0, Input)] = float.PositiveInfinity;
        foreach (float value in Run(network, single))
        {
            Assert.True(value is >= -1f and <= 1f, $"{kind}: one infinite input gave {value}, outside [-1, 1]");
        }

        // Every feature infinite: weights of both signs make Inf - Inf = NaN, as in IEEE arithmetic
        // (and PyTorch); from the next step on, the whole sequence depends on it.
        float[] all = Inputs();
        all.AsSpan(Index(At, Row, 0, Input), Input).Fill(float.PositiveInfinity);
        float[] actual = Run(network, all);
        for (int t = At + 1; t < Steps; t++)
        {
            for (int u = 0; u < Hidden; u++)
            {
                Assert.True(float.IsNaN(actual[Index(t, Row, u, Hidden)]), $"{kind}: output[{t}, {Row}, {u}] is not NaN");
            }
        }

        AssertSequenceUnchanged(clean, actual, 0);
        AssertSequenceUnchanged(clean, actual, 2);
    }

    [Fact]
    public void ReluCellsOverflowToInfinityLikeIeeeArithmeticInsteadOfCrashing()
    {
        RecurrentNetwork network = Network(CellKind.RnnRelu);
        network.MutableParameter("weight_ih_l0").AsSpan().Fill(2f);
        network.Repack();
        float[] inputs = Inputs();
        inputs.AsSpan().Fill(float.MaxValue);
        float[] outputs = Run(network, inputs);
        Assert.All(outputs.AsSpan(0, Batch * Hidden).ToArray(), value => Assert.Equal(float.PositiveInfinity, value));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ANaNWeightFromTrainingPropagatesToEveryOutputThatDependsOnIt(CellKind kind)
    {
        RecurrentNetwork network = Network(kind);
        const int unit = 2;
        network.MutableParameter("weight_hh_l0")[unit * Hidden] = float.NaN; // row of unit 2 in the first gate block
        network.Repack();
        float[] outputs = Run(network, Inputs());
        for (int b = 0; b < Batch; b++)
        {
            // h_0 = 0, but NaN * 0 is NaN: unit 2 is NaN from the first step, every unit from the second.
            for (int u = 0; u < Hidden; u++)
            {
                float first = outputs[Index(0, b, u, Hidden)];
                Assert.Equal(u == unit, float.IsNaN(first));
                for (int t = 1; t < Steps; t++)
                {
                    Assert.True(float.IsNaN(outputs[Index(t, b, u, Hidden)]), $"{kind}: output[{t}, {b}, {u}] is not NaN");
                }
            }
        }
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(float.NegativeInfinity, "-Infinity")]
    public void NonFiniteWeightsAreRefusedAtLoadNamingTheTensorIndexAndValue(float bad, string shown)
    {
        var d = new NetworkDescription(CellKind.Gru, Input, Hidden);
        RecurrentNetwork network = Network(CellKind.Gru);
        var values = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (string name in network.ParameterNames)
        {
            values[name] = network.GetParameter(name).ToArray();
        }

        // The bad value goes in before the writer copies the tensors, so the file really holds it.
        values["bias_hh_l0"][7] = bad;
        Misuse.Refused(() => RecurrentNetwork.Create(d, values), "'bias_hh_l0'", $"holds {shown} at index 7", "finite");

        var writer = new SafeTensorsWriter();
        foreach ((string key, string value) in NetworkFile.Metadata(d))
        {
            writer.SetMetadata(key, value);
        }

        foreach ((string name, int[] shape) in d.ParameterShapes())
        {
            writer.Add(name, values[name], shape);
        }

        SafeTensorsFile file = SafeTensorsFile.Parse(writer.ToArray());
        Assert.Equal(BitConverter.SingleToInt32Bits(bad), BitConverter.SingleToInt32Bits(file.ReadFloat32("bias_hh_l0")[7]));
        Misuse.Refused<FastRnnFormatException>(() => NetworkFile.FromSafeTensors(file), "'bias_hh_l0'", $"holds {shown} at index 7", "finite");
    }

    private static void AssertSequenceUnchanged(float[] expected, float[] actual, int row)
    {
        for (int t = 0; t < Steps; t++)
        {
            Assert.Equal(expected.AsSpan(Index(t, row, 0, Hidden), Hidden).ToArray(), actual.AsSpan(Index(t, row, 0, Hidden), Hidden).ToArray());
        }
    }

    private static RecurrentNetwork Network(CellKind kind) =>
        RecurrentNetwork.CreateRandom(new NetworkDescription(kind, Input, Hidden), (int)kind + 3);

    private static float[] Run(RecurrentNetwork network, float[] inputs)
    {
        float[] outputs = new float[Steps * Batch * Hidden];
        network.Forward(network.CreateWorkspace(Batch, Steps), inputs, Steps, Batch, outputs);
        return outputs;
    }

    private static float[] Inputs()
    {
        var random = new Random(21);
        float[] inputs = new float[Steps * Batch * Input];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return inputs;
    }

    private static int Index(int t, int b, int feature, int features) => (((t * Batch) + b) * features) + feature;
}

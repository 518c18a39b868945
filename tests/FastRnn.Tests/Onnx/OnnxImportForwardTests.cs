using System;
using System.Collections.Generic;
using FastRnn.Onnx;
using Xunit;

namespace FastRnn.Tests.Onnx;

/// <summary>Every supported attribute combination of one node: FastRnn's import against the ONNX-semantics reference.</summary>
public class OnnxImportForwardTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string, int, bool, bool, int, bool, int, bool> Combinations()
    {
        var data = new TheoryData<string, int, bool, bool, int, bool, int, bool>();
        foreach (int directions in new[] { 1, 2 })
        {
            foreach (bool bias in new[] { true, false })
            {
                foreach (int layout in new[] { 0, 1 })
                {
                    foreach (bool runtimeInputs in new[] { false, true })
                    {
                        data.Add("LSTM", directions, bias, false, layout, runtimeInputs, 1, false);
                        data.Add("LSTM", directions, bias, true, layout, runtimeInputs, 1, false);
                        data.Add("GRU", directions, bias, false, layout, runtimeInputs, 0, false);
                        data.Add("GRU", directions, bias, false, layout, runtimeInputs, 1, false);
                        data.Add("RNN", directions, bias, false, layout, runtimeInputs, 1, false);
                        data.Add("RNN", directions, bias, false, layout, runtimeInputs, 1, true);
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Imported_node_matches_the_onnx_reference(string op, int directions, bool bias, bool peephole, int layout, bool lengthsAndInitialStates, int linearBeforeReset, bool relu)
    {
        int seed = (op.Length * 1000) + (directions * 100) + (layout * 10) + (bias ? 1 : 0) + (peephole ? 2 : 0) + (lengthsAndInitialStates ? 4 : 0) + linearBeforeReset + (relu ? 7 : 0);
        OnnxNodeSpec spec = OnnxNodeSpec.Random(op, inputSize: 5, hiddenSize: 9, seed, directions, bias, peephole, layout, linearBeforeReset, relu);
        var options = new OnnxModelOptions { SequenceLens = lengthsAndInitialStates, InitialStates = lengthsAndInitialStates };
        var c = new OnnxCase([spec], options, steps: 7, batch: 3, seed);

        ImportedNetwork imported = Assert.Single(c.Import());
        Assert.Equal(["rnn0"], imported.NodeNames);
        Assert.Equal(bias, imported.Network.Description.Bias);
        Assert.Equal(layout == 1, imported.Network.Description.BatchFirst);
        Assert.Equal(directions == 2, imported.Network.Description.Bidirectional);
        AssertMatches(c.RunReference(), c.RunFastRnn(imported.Network));
    }

    public static TheoryData<string, bool, int, bool, int, bool> ReverseCombinations()
    {
        var data = new TheoryData<string, bool, int, bool, int, bool>();
        foreach (int layout in new[] { 0, 1 })
        {
            foreach (bool runtimeInputs in new[] { false, true })
            {
                data.Add("LSTM", false, layout, runtimeInputs, 1, false);
                data.Add("LSTM", true, layout, runtimeInputs, 1, false);
                data.Add("GRU", false, layout, runtimeInputs, 0, false);
                data.Add("GRU", false, layout, runtimeInputs, 1, false);
                data.Add("RNN", false, layout, runtimeInputs, 1, false);
                data.Add("RNN", false, layout, runtimeInputs, 1, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ReverseCombinations))]
    public void Reverse_node_matches_the_onnx_reference(string op, bool peephole, int layout, bool lengthsAndInitialStates, int linearBeforeReset, bool relu)
    {
        int seed = 50_000 + (op.Length * 1000) + (layout * 10) + (peephole ? 2 : 0) + (lengthsAndInitialStates ? 4 : 0) + linearBeforeReset + (relu ? 7 : 0);
        OnnxNodeSpec spec = OnnxNodeSpec.Random(op, inputSize: 5, hiddenSize: 9, seed, directions: 1, bias: true, peephole, layout, linearBeforeReset, relu, reverse: true);
        var options = new OnnxModelOptions { SequenceLens = lengthsAndInitialStates, InitialStates = lengthsAndInitialStates };
        var c = new OnnxCase([spec], options, steps: 7, batch: 3, seed);

        ImportedNetwork imported = Assert.Single(c.Import());
        Assert.True(imported.Network.Description.Reverse);
        Assert.False(imported.Network.Description.Bidirectional);
        AssertMatches(c.RunReference(), c.RunFastRnn(imported.Network));
    }

    [Theory]
    [InlineData("LSTM", 1, false, false)]
    [InlineData("LSTM", 2, true, true)]
    [InlineData("GRU", 1, false, true)]
    [InlineData("GRU", 2, true, false)]
    [InlineData("RNN", 1, false, true)]
    [InlineData("RNN", 2, true, false)]
    public void Cell_clip_matches_the_onnx_reference(string op, int directions, bool variant, bool lengthsAndInitialStates)
    {
        // Weights and inputs scaled up so that many pre-activations pass the threshold.
        int seed = 60_000 + (op.Length * 100) + (directions * 10) + (variant ? 1 : 0);
        OnnxNodeSpec spec = OnnxNodeSpec.Random(op, inputSize: 5, hiddenSize: 9, seed, directions, bias: true,
            peephole: op == "LSTM" && variant, linearBeforeReset: op == "GRU" && variant ? 0 : 1, relu: op == "RNN" && variant, clip: 0.75f).Scaled(4f);
        var options = new OnnxModelOptions { SequenceLens = lengthsAndInitialStates, InitialStates = lengthsAndInitialStates };
        var c = new OnnxCase([spec], options, steps: 7, batch: 3, seed);

        ImportedNetwork imported = Assert.Single(c.Import());
        Assert.Equal(0.75f, imported.Network.Description.Clip);
        OnnxCaseResult expected = c.RunReference();
        AssertMatches(expected, c.RunFastRnn(imported.Network));
        // The threshold must matter: without it the same weights give other outputs.
        OnnxCaseResult unclipped = new OnnxCase([spec with { Clip = null }], options, steps: 7, batch: 3, seed).RunReference();
        Assert.True(OnnxLayouts.RelativeError(unclipped.Y, expected.Y) > 1e-2, "the clip threshold changes nothing in this case");
    }

    [Theory]
    [InlineData(false, 1, false)]
    [InlineData(true, 1, true)]
    [InlineData(false, 2, true)]
    public void Coupled_input_and_forget_gates_match_the_onnx_reference(bool peephole, int directions, bool clip)
    {
        int seed = 70_000 + (peephole ? 1 : 0) + (directions * 10) + (clip ? 100 : 0);
        OnnxNodeSpec spec = OnnxNodeSpec.Random("LSTM", inputSize: 5, hiddenSize: 9, seed, directions, bias: true, peephole, clip: clip ? 0.5f : null, inputForget: true);
        var options = new OnnxModelOptions { SequenceLens = true, InitialStates = true };
        var c = new OnnxCase([spec], options, steps: 7, batch: 3, seed);

        ImportedNetwork imported = Assert.Single(c.Import());
        Assert.True(imported.Network.Description.CoupledInputForget);
        AssertMatches(c.RunReference(), c.RunFastRnn(imported.Network));
    }

    [Theory]
    [InlineData("FloatData")]
    [InlineData("ConstantNode")]
    public void Weights_in_float_data_or_constant_nodes_import_like_raw_data(string storageName)
    {
        WeightStorage storage = System.Enum.Parse<WeightStorage>(storageName);
        OnnxNodeSpec spec = OnnxNodeSpec.Random("LSTM", 4, 6, seed: 5, directions: 2, peephole: true);
        var c = new OnnxCase([spec], new OnnxModelOptions { Storage = storage }, steps: 5, batch: 2, seed: 5);
        AssertMatches(c.RunReference(), c.RunFastRnn(Assert.Single(c.Import()).Network));
    }

    [Theory]
    [InlineData("LSTM", 2)]
    [InlineData("GRU", 2)]
    [InlineData("RNN", 1)]
    public void Explicit_default_activations_are_accepted(string op, int directions)
    {
        OnnxNodeSpec spec = OnnxNodeSpec.Random(op, 3, 4, seed: 9, directions, explicitActivations: true, linearBeforeReset: 0);
        var c = new OnnxCase([spec], new OnnxModelOptions(), steps: 4, batch: 2, seed: 9);
        AssertMatches(c.RunReference(), c.RunFastRnn(Assert.Single(c.Import()).Network));
    }

    internal static void AssertMatches(OnnxCaseResult expected, OnnxCaseResult actual)
    {
        Assert.True(OnnxLayouts.RelativeError(actual.Y, expected.Y) <= Tolerance, $"Y: relative error {OnnxLayouts.RelativeError(actual.Y, expected.Y):E2}");
        Assert.Equal(expected.YH.Length, actual.YH.Length);
        for (int k = 0; k < expected.YH.Length; k++)
        {
            double error = OnnxLayouts.RelativeError(actual.YH[k], expected.YH[k]);
            Assert.True(error <= Tolerance, $"Y_h of node {k}: relative error {error:E2}");
        }

        Assert.Equal(expected.YC is null, actual.YC is null);
        for (int k = 0; k < (expected.YC?.Length ?? 0); k++)
        {
            double error = OnnxLayouts.RelativeError(actual.YC![k], expected.YC![k]);
            Assert.True(error <= Tolerance, $"Y_c of node {k}: relative error {error:E2}");
        }
    }
}

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

using System;
using System.Linq;
using FastRnn.Networks;
using FastRnn.Onnx;
using Xunit;

namespace FastRnn.Tests.Onnx;

/// <summary>
/// Every ONNX activation function in every role of every operator, with its α and β, imported and
/// run against the ONNX-semantics reference; parameters consumed in ONNX's order across directions.
/// </summary>
public class OnnxActivationTests
{
    [Theory]
    [MemberData(nameof(OnnxActivationCases.EveryFunctionInEveryRole), MemberType = typeof(OnnxActivationCases))]
    public void Every_function_in_every_role_matches_the_onnx_reference(string op, int variant, string function, int role)
    {
        int seed = 80_000 + (op.Length * 1000) + (variant * 500) + (role * 50) + function.Length;

        // Peepholes (LSTM) or reset-before (GRU) as the variant.
        OnnxNodeSpec spec = OnnxNodeSpec.Random(op, inputSize: 5, hiddenSize: 9, seed, peephole: op == "LSTM" && variant == 1, linearBeforeReset: op == "GRU" && variant == 1 ? 0 : 1).Scaled(OnnxActivationCases.ScaleFor(op, function, role));
        var c = new OnnxCase([OnnxActivationCases.WithFunction(spec, function, role)], new OnnxModelOptions { SequenceLens = true, InitialStates = true }, steps: 6, batch: 3, seed);

        ImportedNetwork imported = Assert.Single(c.Import());
        NetworkDescription d = imported.Network.Description;
        Assert.Equal(function == (op == "RNN" ? "Tanh" : role == 0 ? "Sigmoid" : "Tanh") || (op == "RNN" && function == "Relu"), d.HasDefaultActivations);
        Assert.Equal(function, d.ActivationsOf(0).OnnxOrder(d.Kind)[role].Function.ToString());
        OnnxImportForwardTests.AssertMatches(c.RunReference(), c.RunFastRnn(imported.Network));
    }

    [Theory]
    [InlineData("LSTM", "HardSigmoid,Elu,Softsign,LeakyRelu,ScaledTanh,Softplus", "0.3,0.7,0.05,1.5", "0.45,0.5")]
    [InlineData("GRU", "Softsign,Affine,HardSigmoid,ThresholdedRelu", "0.5,0.25,0.1", "0.2,0.5")]
    [InlineData("RNN", "LeakyRelu,Elu", "0.1,0.9", "")]
    [InlineData("RNN", "Affine,ScaledTanh", "0.5,1.5", "0.1,0.5")]
    public void Each_direction_reads_its_own_functions_and_parameters_in_order(string op, string activations, string alpha, string beta)
    {
        static float[] Parse(string list) => list.Length == 0 ? [] : [.. list.Split(',').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture))];
        int seed = 81_000 + op.Length;
        OnnxNodeSpec spec = OnnxNodeSpec.Random(op, inputSize: 4, hiddenSize: 7, seed, directions: 2).Scaled(op == "RNN" ? 3f : 1f).WithActivations(activations.Split(','), Parse(alpha), beta.Length == 0 ? null : Parse(beta));
        var c = new OnnxCase([spec], new OnnxModelOptions { SequenceLens = true, InitialStates = true }, steps: 6, batch: 3, seed);

        NetworkDescription d = Assert.Single(c.Import()).Network.Description;
        Assert.NotNull(d.BackwardActivations);
        Assert.Equal(activations, string.Join(',', Enumerable.Range(0, 2).SelectMany(k => d.ActivationsOf(k).OnnxOrder(d.Kind)).Select(a => a.Function.ToString())));
        OnnxImportForwardTests.AssertMatches(c.RunReference(), c.RunFastRnn(Assert.Single(c.Import()).Network));
    }

    [Theory]
    [InlineData("LSTM", "LeakyRelu,Tanh,HardSigmoid", 0.01f)]
    [InlineData("GRU", "Elu,Tanh", 1f)]
    [InlineData("LSTM", "sigmoid,TANH,Tanh", float.NaN)]
    public void Defaults_both_readings_share_and_any_spelling_are_accepted_for_lstm_and_gru(string op, string activations, float alpha)
    {
        OnnxNodeSpec spec = OnnxNodeSpec.Random(op, 4, 6, seed: 82_000).WithActivations(activations.Split(','));
        var c = new OnnxCase([spec], new OnnxModelOptions(), steps: 5, batch: 2, seed: 82_000);
        NetworkDescription d = Assert.Single(c.Import()).Network.Description;
        if (!float.IsNaN(alpha))
        {
            Assert.Equal(alpha, d.ActivationsOf(0).Gate.Alpha);
        }
        else
        {
            Assert.True(d.HasDefaultActivations);
        }

        OnnxImportForwardTests.AssertMatches(c.RunReference(), c.RunFastRnn(Assert.Single(c.Import()).Network));
    }

    [Theory]
    [InlineData("LSTM", 1)]
    [InlineData("GRU", 2)]
    [InlineData("RNN", 1)]
    public void Activations_combine_with_clip_reverse_layout_and_stacks(string op, int directions)
    {
        int seed = 83_000 + (op.Length * 10) + directions;
        OnnxNodeSpec Layer(int k, int input) => OnnxActivationCases.WithFunction(
            OnnxNodeSpec.Random(op, input, 8, seed + k, directions, layout: 1, clip: 1.5f, reverse: directions == 1 && op != "RNN").Scaled(3f),
            op == "RNN" ? "Softsign" : "HardSigmoid", 0, directions);
        var c = new OnnxCase([Layer(0, 5), Layer(1, directions * 8)], new OnnxModelOptions { SequenceLens = true, InitialStates = true }, steps: 6, batch: 3, seed);

        ImportedNetwork imported = Assert.Single(c.Import());
        Assert.Equal(2, imported.Network.Description.NumLayers);
        Assert.False(imported.Network.Description.HasDefaultActivations);
        OnnxImportForwardTests.AssertMatches(c.RunReference(), c.RunFastRnn(imported.Network));
    }

    [Fact]
    public void Nodes_with_different_activations_are_not_one_stack()
    {
        OnnxNodeSpec lower = OnnxNodeSpec.Random("GRU", 4, 6, 1), upper = OnnxActivationCases.WithFunction(OnnxNodeSpec.Random("GRU", 6, 6, 2), "Softsign", 1);
        Assert.Equal(2, new OnnxCase([lower, upper], new OnnxModelOptions(), steps: 3, batch: 2, seed: 1).Import().Count);
    }

    [Theory]
    [InlineData("GRU", 1, "Affine,Tanh", "", "", "Affine(1,0)")]
    [InlineData("LSTM", 1, "ThresholdedRelu,Tanh,Tanh", "", "", "ThresholdedRelu(1)")]
    [InlineData("RNN", 1, "ThresholdedRelu", "", "", "ThresholdedRelu(1)")]
    [InlineData("RNN", 1, "Affine", "", "0.5", "Affine(1,0.5)")]
    [InlineData("RNN", 1, "relu", "", "", "Relu")]
    [InlineData("RNN", 1, "Softsign,Tanh", "", "", "Softsign")]
    [InlineData("RNN", 2, "Tanh,affine", "2", "", "Affine(2,0)")]
    public void Ambiguous_activations_read_as_the_specification_match_the_onnx_reference(string op, int directions, string activations, string alpha, string beta, string expected)
    {
        static float[]? Parse(string list) => list.Length == 0 ? null : [.. list.Split(',').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture))];
        OnnxNodeSpec spec = OnnxNodeSpec.Random(op, 4, 6, seed: 84_000 + activations.Length, directions).Scaled(op == "RNN" ? 3f : 1f).WithActivations(activations.Split(','), Parse(alpha), Parse(beta));
        var c = new OnnxCase([spec], new OnnxModelOptions { SequenceLens = true }, steps: 5, batch: 2, seed: 84_000);
        Assert.Throws<FastRnnFormatException>(() => c.Import());

        NetworkDescription d = Assert.Single(c.Import(ambiguous: AmbiguousActivations.AsSpecification)).Network.Description;
        Assert.Equal(expected, d.ActivationsOf(directions - 1).OnnxOrder(d.Kind)[0].ToString());
        OnnxImportForwardTests.AssertMatches(c.RunReference(), c.RunFastRnn(Assert.Single(c.Import(ambiguous: AmbiguousActivations.AsSpecification)).Network));
    }

    [Fact]
    public void A_reading_without_a_value_is_refused_even_when_chosen()
    {
        // ScaledTanh has no default β in the specification; ONNX Runtime refuses RNN names not spelled exactly.
        OnnxNodeSpec scaled = OnnxNodeSpec.Random("LSTM", 4, 6, 1).WithActivations(["Sigmoid", "ScaledTanh", "Tanh"], [2f]);
        var c = new OnnxCase([scaled], new OnnxModelOptions(), steps: 3, batch: 2, seed: 1);
        Assert.Contains("the reading chosen (AsSpecification) has no value", Assert.Throws<FastRnnFormatException>(() => c.Import(ambiguous: AmbiguousActivations.AsSpecification)).Message, StringComparison.Ordinal);
        Assert.Equal("ScaledTanh(2,0)", Assert.Single(c.Import(ambiguous: AmbiguousActivations.AsOnnxRuntime)).Network.Description.ActivationsOf(0).Candidate.ToString());

        var r = new OnnxCase([OnnxNodeSpec.Random("RNN", 4, 6, 1).WithActivations(["relu"])], new OnnxModelOptions(), steps: 3, batch: 2, seed: 1);
        Assert.Contains("the reading chosen (AsOnnxRuntime) has no value", Assert.Throws<FastRnnFormatException>(() => r.Import(ambiguous: AmbiguousActivations.AsOnnxRuntime)).Message, StringComparison.Ordinal);
        Assert.Equal(CellKind.RnnRelu, Assert.Single(r.Import(ambiguous: AmbiguousActivations.AsSpecification)).Network.Description.Kind);
    }
}

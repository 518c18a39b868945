using System;
using System.Collections.Generic;
using System.Linq;
using FastRnn.Tests.Onnx;
using Microsoft.ML.OnnxRuntime;
using Xunit;
using Xunit.Abstractions;

namespace FastRnn.Onnx.RuntimeTests;

/// <summary>
/// Every supported attribute combination (every activation function in every role included), and
/// PyTorch-style stacks, run by ONNX Runtime (CPU, one
/// thread) and by FastRnn after import: max|A − E| / (max|E| + 1e-6) ≤ 1e-5 for Y, Y_h and Y_c.
/// ONNX Runtime's CPU kernels support layout 0 only; FastRnn's layout 1 (batch_first) import is
/// checked against the ONNX-semantics reference in FastRnn.Tests.
/// </summary>
public class OnnxRuntimeComparisonTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string, int, bool, bool, int, bool, int, bool> Combinations()
    {
        var data = new TheoryData<string, int, bool, bool, int, bool, int, bool>();
        const int layout = 0;
        foreach (int directions in new[] { 1, 2 })
        {
            foreach (bool bias in new[] { true, false })
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

        return data;
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void One_node_matches_onnx_runtime(string op, int directions, bool bias, bool peephole, int layout, bool lengthsAndInitialStates, int linearBeforeReset, bool relu)
    {
        int seed = (op.Length * 1000) + (directions * 100) + (layout * 10) + (bias ? 1 : 0) + (peephole ? 2 : 0) + (lengthsAndInitialStates ? 4 : 0) + linearBeforeReset + (relu ? 7 : 0);
        OnnxNodeSpec spec = OnnxNodeSpec.Random(op, inputSize: 13, hiddenSize: 17, seed, directions, bias, peephole, layout, linearBeforeReset, relu);
        var options = new OnnxModelOptions { SequenceLens = lengthsAndInitialStates, InitialStates = lengthsAndInitialStates };
        Compare(new OnnxCase([spec], options, steps: 9, batch: 4, seed));
    }

    [Theory]
    [InlineData("LSTM", false, false)]
    [InlineData("LSTM", true, true)]
    [InlineData("GRU", false, true)]
    [InlineData("GRU", true, false)]
    [InlineData("RNN", false, true)]
    public void A_reverse_node_matches_onnx_runtime(string op, bool peepholeOrResetBefore, bool lengthsAndInitialStates)
    {
        int seed = 700 + (op.Length * 10) + (peepholeOrResetBefore ? 1 : 0) + (lengthsAndInitialStates ? 2 : 0);
        OnnxNodeSpec spec = OnnxNodeSpec.Random(op, inputSize: 13, hiddenSize: 17, seed, directions: 1, bias: true,
            peephole: op == "LSTM" && peepholeOrResetBefore, linearBeforeReset: op == "GRU" && peepholeOrResetBefore ? 0 : 1, reverse: true);
        var options = new OnnxModelOptions { SequenceLens = lengthsAndInitialStates, InitialStates = lengthsAndInitialStates };
        Compare(new OnnxCase([spec], options, steps: 9, batch: 4, seed));
    }

    [Theory]
    [InlineData("LSTM", 1, false)]
    [InlineData("LSTM", 2, true)]
    [InlineData("GRU", 1, false)]
    [InlineData("GRU", 2, true)]
    [InlineData("RNN", 1, false)]
    [InlineData("RNN", 2, true)]
    public void Cell_clip_matches_onnx_runtime(string op, int directions, bool variant)
    {
        int seed = 900 + (op.Length * 10) + directions + (variant ? 5 : 0);
        OnnxNodeSpec spec = OnnxNodeSpec.Random(op, inputSize: 13, hiddenSize: 17, seed, directions, bias: true,
            peephole: op == "LSTM" && variant, linearBeforeReset: op == "GRU" && variant ? 0 : 1, relu: op == "RNN" && variant, clip: 0.25f);
        Compare(new OnnxCase([spec], new OnnxModelOptions { SequenceLens = true, InitialStates = true }, steps: 9, batch: 4, seed));
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 2)]
    public void Coupled_input_and_forget_gates_match_onnx_runtime(bool peephole, int directions)
    {
        OnnxNodeSpec spec = OnnxNodeSpec.Random("LSTM", inputSize: 13, hiddenSize: 17, 950 + directions, directions, bias: true, peephole, inputForget: true);
        Compare(new OnnxCase([spec], new OnnxModelOptions { SequenceLens = true, InitialStates = true }, steps: 9, batch: 4, seed: 950));
    }

    [Theory]
    [MemberData(nameof(OnnxActivationCases.EveryFunctionInEveryRole), MemberType = typeof(OnnxActivationCases))]
    public void Every_activation_function_in_every_role_matches_onnx_runtime(string op, int variant, string function, int role)
    {
        int seed = 90_000 + (op.Length * 1000) + (variant * 500) + (role * 50) + function.Length;
        OnnxNodeSpec spec = OnnxNodeSpec.Random(op, inputSize: 13, hiddenSize: 17, seed,
            peephole: op == "LSTM" && variant == 1, linearBeforeReset: op == "GRU" && variant == 1 ? 0 : 1).Scaled(OnnxActivationCases.ScaleFor(op, function, role));
        Compare(new OnnxCase([OnnxActivationCases.WithFunction(spec, function, role)], new OnnxModelOptions { SequenceLens = true, InitialStates = true }, steps: 9, batch: 4, seed));
    }

    [Theory]
    [InlineData("LSTM", "HardSigmoid,Elu,Softsign,LeakyRelu,ScaledTanh,Softplus", "0.3,0.7,0.05,1.5", "0.45,0.5", null)]
    [InlineData("LSTM", "LeakyRelu,Tanh,HardSigmoid,sigmoid,TANH,Softsign", "", "0.25", 2.5f)]
    [InlineData("GRU", "Softsign,Affine,HardSigmoid,ThresholdedRelu", "0.5,0.25,0.1", "0.2,0.5", null)]
    [InlineData("GRU", "elu,tanh,Sigmoid,SoftPlus", "", "", 1.5f)]
    [InlineData("RNN", "LeakyRelu,Elu", "0.1,0.9", "", null)]
    [InlineData("RNN", "Affine,ScaledTanh", "0.5,1.5", "0.1,0.5", 0.75f)]
    public void Per_direction_activations_parameters_defaults_and_clip_match_onnx_runtime(string op, string activations, string alpha, string beta, float? clip)
    {
        static float[]? Parse(string list) => list.Length == 0 ? null : [.. list.Split(',').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture))];
        int seed = 91_000 + op.Length + activations.Length;
        OnnxNodeSpec spec = OnnxNodeSpec.Random(op, inputSize: 13, hiddenSize: 17, seed, directions: 2, clip: clip).Scaled(op == "RNN" ? 3f : 1f)
            .WithActivations(activations.Split(','), Parse(alpha), Parse(beta));
        Compare(new OnnxCase([spec], new OnnxModelOptions { SequenceLens = true, InitialStates = true }, steps: 9, batch: 4, seed));
    }

    [Theory]
    [InlineData("GRU", "Affine,Tanh", "", "")]
    [InlineData("LSTM", "ThresholdedRelu,Tanh,Tanh", "", "")]
    [InlineData("LSTM", "Sigmoid,ScaledTanh,Tanh", "2", "")]
    [InlineData("RNN", "Affine", "", "0.5")]
    [InlineData("RNN", "ThresholdedRelu", "", "")]
    [InlineData("RNN", "Relu,Tanh", "", "")]
    public void Ambiguous_activations_read_as_onnx_runtime_match_onnx_runtime(string op, string activations, string alpha, string beta)
    {
        static float[]? Parse(string list) => list.Length == 0 ? null : [.. list.Split(',').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture))];
        int seed = 92_000 + activations.Length;
        OnnxNodeSpec spec = OnnxNodeSpec.Random(op, inputSize: 13, hiddenSize: 17, seed).Scaled(op == "RNN" ? 3f : 1f).WithActivations(activations.Split(','), Parse(alpha), Parse(beta));
        var c = new OnnxCase([spec], new OnnxModelOptions { SequenceLens = true, InitialStates = true }, steps: 9, batch: 4, seed);
        Assert.Throws<FastRnnFormatException>(() => c.Import());
        Compare(c, AmbiguousActivations.AsOnnxRuntime, againstReference: false);
    }

    [Theory]
    [InlineData("Tanh,LeakyRelu", "0.5", "")]
    [InlineData("LeakyRelu,LeakyRelu", "0.3", "")]
    [InlineData("HardSigmoid,Affine", "0.3,1.5", "0.4")]
    [InlineData("LeakyRelu,HardSigmoid", "", "")]
    public void Rnn_activation_parameters_are_consumed_in_order_across_directions_as_onnx_runtime_does(string activations, string alpha, string beta)
    {
        static float[]? Parse(string list) => list.Length == 0 ? null : [.. list.Split(',').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture))];
        int seed = 93_000 + activations.Length + alpha.Length;
        OnnxNodeSpec spec = OnnxNodeSpec.Random("RNN", inputSize: 13, hiddenSize: 17, seed, directions: 2).Scaled(3f).WithActivations(activations.Split(','), Parse(alpha), Parse(beta));
        Compare(new OnnxCase([spec], new OnnxModelOptions { SequenceLens = true, InitialStates = true }, steps: 9, batch: 4, seed));
    }

    [Fact]
    public void Onnx_runtime_refuses_rnn_activations_not_spelled_as_the_specification_does()
    {
        var c = new OnnxCase([OnnxNodeSpec.Random("RNN", 3, 4, 1).WithActivations(["relu"])], new OnnxModelOptions(), steps: 3, batch: 2, seed: 1);
        Assert.Contains("Invalid activation attribute - relu", Assert.Throws<OnnxRuntimeException>(() => OnnxRuntimeRunner.Run(c)).Message, StringComparison.Ordinal);
        Assert.Throws<FastRnnFormatException>(() => c.Import(ambiguous: AmbiguousActivations.AsOnnxRuntime));
        Assert.Equal(CellKind.RnnRelu, Assert.Single(c.Import(ambiguous: AmbiguousActivations.AsSpecification)).Network.Description.Kind);
    }

    [Fact]
    public void A_stack_of_reverse_nodes_matches_onnx_runtime()
    {
        List<OnnxNodeSpec> specs = [OnnxNodeSpec.Random("LSTM", 11, 16, 801, reverse: true), OnnxNodeSpec.Random("LSTM", 16, 16, 802, reverse: true)];
        Compare(new OnnxCase(specs, new OnnxModelOptions { SequenceLens = true, InitialStates = true }, steps: 8, batch: 3, seed: 801));
    }

    [Theory]
    [InlineData("LSTM", 2, 2)]
    [InlineData("LSTM", 3, 1)]
    [InlineData("GRU", 3, 2)]
    [InlineData("GRU", 2, 1)]
    [InlineData("RNN", 2, 2)]
    public void A_pytorch_style_stack_matches_onnx_runtime(string op, int layers, int directions)
    {
        int seed = (layers * 31) + directions;
        List<OnnxNodeSpec> specs = [.. Enumerable.Range(0, layers).Select(k => OnnxNodeSpec.Random(op, k == 0 ? 11 : directions * 16, 16, seed + k, directions))];
        Compare(new OnnxCase(specs, new OnnxModelOptions { SequenceLens = true, InitialStates = true }, steps: 8, batch: 3, seed));
    }

    [Theory]
    [InlineData("LSTM")]
    [InlineData("GRU")]
    [InlineData("RNN")]
    public void Onnx_runtime_refuses_layout_1_on_the_cpu_so_it_is_compared_with_the_reference_only(string op)
    {
        var c = new OnnxCase([OnnxNodeSpec.Random(op, 3, 4, 1, layout: 1)], new OnnxModelOptions(), steps: 3, batch: 2, seed: 1);
        OnnxRuntimeException e = Assert.Throws<OnnxRuntimeException>(() => OnnxRuntimeRunner.Run(c));
        Assert.Contains("layout == 1", e.Message);
        Assert.True(Assert.Single(c.Import()).Network.Description.BatchFirst);
    }

    private void Compare(OnnxCase c, AmbiguousActivations ambiguous = AmbiguousActivations.Refuse, bool againstReference = true)
    {
        OnnxCaseResult expected = OnnxRuntimeRunner.Run(c);
        OnnxCaseResult actual = c.RunFastRnn(Assert.Single(c.Import(ambiguous: ambiguous)).Network);
        var errors = new List<(string Name, double Error)> { ("Y", OnnxLayouts.RelativeError(actual.Y, expected.Y)) };
        errors.AddRange(expected.YH.Select((e, k) => ($"Y_h{k}", OnnxLayouts.RelativeError(actual.YH[k], e))));
        errors.AddRange((expected.YC ?? []).Select((e, k) => ($"Y_c{k}", OnnxLayouts.RelativeError(actual.YC![k], e))));
        output.WriteLine(string.Join(", ", errors.Select(e => $"{e.Name} {e.Error:E2}")));
        output.WriteLine($"max relative error vs ONNX Runtime: {errors.Max(e => e.Error):E2}");
        if (againstReference)
        {
            // The reference reads activations as the specification does; ambiguous ones it reads differently.
            OnnxCaseResult exact = c.RunReference();
            output.WriteLine($"against the double-precision reference: FastRnn {OnnxLayouts.RelativeError(actual.Y, exact.Y):E2}, ONNX Runtime {OnnxLayouts.RelativeError(expected.Y, exact.Y):E2} (Y)");

            // Agreeing with ONNX Runtime is not enough: both could share a mistake. FastRnn must also
            // meet the same bound against the reference, for every output the reference computes.
            var referenceErrors = new List<(string Name, double Error)> { ("Y", OnnxLayouts.RelativeError(actual.Y, exact.Y)) };
            referenceErrors.AddRange(exact.YH.Select((e, k) => ($"Y_h{k}", OnnxLayouts.RelativeError(actual.YH[k], e))));
            referenceErrors.AddRange((exact.YC ?? []).Select((e, k) => ($"Y_c{k}", OnnxLayouts.RelativeError(actual.YC![k], e))));
            Assert.All(referenceErrors, e => Assert.True(e.Error <= Tolerance, $"{e.Name} against the reference: relative error {e.Error:E2} > {Tolerance:E0}"));
        }

        Assert.All(errors, e => Assert.True(e.Error <= Tolerance, $"{e.Name}: relative error {e.Error:E2} > {Tolerance:E0}"));
    }
}

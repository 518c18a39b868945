using System;
using System.IO;
using System.Linq;
using FastRnn.Onnx;
using FastRnn.Onnx.Model;
using Google.Protobuf;
using Xunit;

namespace FastRnn.Tests.Onnx;

/// <summary>What FastRnn cannot compute exactly as ONNX defines it is refused, and the message names the node and the attribute or input.</summary>
public class OnnxImportRefusalTests
{
    [Theory]
    [InlineData("LSTM", "direction", "sideways")]
    [InlineData("GRU", "direction", "Reverse")]
    public void Directions_other_than_forward_reverse_and_bidirectional_are_refused(string op, string name, string value) =>
        AssertRefused(op, OnnxModelBuilder.Attribute(name, value), $"direction '{value}'", replace: true);

    [Theory]
    [InlineData("LSTM", 0f)]
    [InlineData("GRU", -1f)]
    [InlineData("RNN", float.NaN)]
    [InlineData("RNN", float.PositiveInfinity)]
    public void A_clip_that_is_not_a_positive_finite_threshold_is_refused(string op, float clip) =>
        AssertRefused(op, OnnxModelBuilder.Attribute("clip", clip), "clip =");

    [Fact]
    public void Input_forget_other_than_0_or_1_is_refused() => AssertRefused("LSTM", OnnxModelBuilder.Attribute("input_forget", 2L), "input_forget = 2");

    [Fact]
    public void Input_forget_zero_is_the_default_and_accepted()
    {
        ModelProto model = OnnxModelBuilder.Build(OnnxNodeSpec.Random("LSTM", 3, 4, 1), new OnnxModelOptions { ExtraAttributes = [OnnxModelBuilder.Attribute("input_forget", 0L)] });
        Assert.Single(OnnxImportChainTests.Import(model));
    }

    [Theory]
    [InlineData("LSTM", "Sigmoid,Tanh,Swish", "'Swish'")]
    [InlineData("LSTM", "Sigmoid,Tanh", "2 entries")]
    [InlineData("GRU", "Sigmoid,Tanh,Tanh", "3 entries")]
    [InlineData("GRU", "Sigmoid,Gelu", "'Gelu'")]
    [InlineData("RNN", "Mish", "'Mish'")]
    [InlineData("RNN", "relu", "reads it as Relu, ONNX Runtime as nothing it can compute")]
    [InlineData("RNN", "Tanh,Relu", "ONNX Runtime uses the first")]
    public void Unknown_activations_wrong_counts_and_ambiguous_spellings_are_refused(string op, string activations, string named) =>
        AssertRefused(op, OnnxModelBuilder.Attribute("activations", activations.Split(',')), named);

    [Theory]
    [InlineData("GRU", "Affine,Tanh", "", "", "the ONNX specification reads it as Affine(1,0), ONNX Runtime as Affine(0,0)")]
    [InlineData("LSTM", "ThresholdedRelu,Tanh,Tanh", "", "", "reads it as ThresholdedRelu(1), ONNX Runtime as ThresholdedRelu(0)")]
    [InlineData("LSTM", "Sigmoid,ScaledTanh,Tanh", "2", "", "reads it as nothing it can compute, ONNX Runtime as ScaledTanh(2,0)")]
    [InlineData("RNN", "ThresholdedRelu", "", "", "reads it as ThresholdedRelu(1), ONNX Runtime as ThresholdedRelu(0)")]
    [InlineData("RNN", "Affine", "", "0.5", "reads it as Affine(1,0.5), ONNX Runtime as Affine(0,0.5)")]
    public void Activation_parameters_the_specification_and_onnx_runtime_read_differently_are_refused(string op, string activations, string alpha, string beta, string named)
    {
        ModelProto model = OnnxModelBuilder.Build(OnnxNodeSpec.Random(op, 3, 4, 1));
        NodeProto node = model.Graph.Node.Single(n => n.OpType == op);
        node.Attribute.Add(OnnxModelBuilder.Attribute("activations", activations.Split(',')));
        if (alpha.Length > 0)
        {
            node.Attribute.Add(OnnxModelBuilder.Attribute("activation_alpha", [.. alpha.Split(',').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture))]));
        }

        if (beta.Length > 0)
        {
            node.Attribute.Add(OnnxModelBuilder.Attribute("activation_beta", [.. beta.Split(',').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture))]));
        }

        string message = Refusal(model);
        Assert.Contains(named, message);
        Assert.Contains($"node 'rnn0' ({op})", message);
    }

    [Theory]
    [InlineData("LSTM", "LeakyRelu,Tanh,HardSigmoid", "", "", "LeakyRelu(0.01);Tanh;HardSigmoid(0.2,0.5)")]
    [InlineData("RNN", "Tanh,LeakyRelu", "0.5", "", "Tanh;LeakyRelu(0.5)")]
    [InlineData("RNN", "HardSigmoid,Elu", "0.3", "", "HardSigmoid(0.3,0.5);Elu(1)")]
    public void Parameters_both_readings_agree_on_are_imported(string op, string activations, string alpha, string beta, string imported)
    {
        OnnxNodeSpec spec = OnnxNodeSpec.Random(op, 3, 4, 1, directions: op == "RNN" ? 2 : 1).WithActivations(activations.Split(','),
            alpha.Length == 0 ? null : [.. alpha.Split(',').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture))],
            beta.Length == 0 ? null : [.. beta.Split(',').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture))]);
        NetworkDescription d = Assert.Single(OnnxImportChainTests.Import(OnnxModelBuilder.Build(spec))).Network.Description;
        Assert.Equal(imported, string.Join(';', Enumerable.Range(0, d.Directions).SelectMany(k => d.ActivationsOf(k).OnnxOrder(d.Kind))));
    }

    [Fact]
    public void Activation_parameters_no_function_takes_are_ignored_as_onnx_runtime_does()
    {
        ModelProto model = OnnxModelBuilder.Build(OnnxNodeSpec.Random("GRU", 3, 4, 1),
            new OnnxModelOptions { ExtraAttributes = [OnnxModelBuilder.Attribute("activation_alpha", 0.5f, 0.5f), OnnxModelBuilder.Attribute("activation_beta", new[] { 0.5f })] });
        Assert.True(Assert.Single(OnnxImportChainTests.Import(model)).Network.Description.HasDefaultActivations);
    }

    [Fact]
    public void Unknown_attributes_are_refused() => AssertRefused("LSTM", OnnxModelBuilder.Attribute("linear_before_reset", 1L), "unknown attribute 'linear_before_reset'");

    [Theory]
    [InlineData("LSTM", "layout", 2L)]
    [InlineData("GRU", "linear_before_reset", 2L)]
    public void Out_of_range_attribute_values_are_refused(string op, string name, long value) =>
        AssertRefused(op, OnnxModelBuilder.Attribute(name, value), $"{name} = {value}", replace: true);

    [Fact]
    public void A_hidden_size_that_disagrees_with_r_is_refused() =>
        AssertRefused("GRU", OnnxModelBuilder.Attribute("hidden_size", 5L), "hidden_size = 5", replace: true);

    [Fact]
    public void Weights_of_another_element_type_are_refused()
    {
        ModelProto model = OnnxModelBuilder.Build(OnnxNodeSpec.Random("LSTM", 3, 4, 1));
        TensorProto w = model.Graph.Initializer.Single(t => t.Name == "W0");
        w.DataType = (int)TensorProto.Types.DataType.Double;
        w.RawData = ByteString.CopyFrom(new byte[w.RawData.Length * 2]);
        string message = Refusal(model);
        Assert.Contains("DOUBLE", message);
        Assert.Contains("input W", message);
    }

    [Fact]
    public void Weights_that_are_graph_inputs_are_refused()
    {
        ModelProto model = OnnxModelBuilder.Build(OnnxNodeSpec.Random("RNN", 3, 4, 1));
        model.Graph.Initializer.Remove(model.Graph.Initializer.Single(t => t.Name == "R0"));
        string message = Refusal(model);
        Assert.Contains("input R ('R0') is a graph input", message);
    }

    [Fact]
    public void Weights_in_external_files_are_refused()
    {
        ModelProto model = OnnxModelBuilder.Build(OnnxNodeSpec.Random("GRU", 3, 4, 1));
        TensorProto b = model.Graph.Initializer.Single(t => t.Name == "B0");
        b.DataLocation = TensorProto.Types.DataLocation.External;
        b.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });
        Assert.Contains("external file", Refusal(model));
    }

    [Fact]
    public void Raw_data_of_the_wrong_length_is_refused()
    {
        ModelProto model = OnnxModelBuilder.Build(OnnxNodeSpec.Random("GRU", 3, 4, 1));
        TensorProto w = model.Graph.Initializer.Single(t => t.Name == "W0");
        w.RawData = ByteString.CopyFrom(w.RawData.Span[..^4]);
        Assert.Contains("raw_data", Refusal(model));
    }

    [Fact]
    public void Non_finite_weights_are_refused_naming_the_node()
    {
        OnnxNodeSpec spec = OnnxNodeSpec.Random("LSTM", 3, 4, 1);
        spec.R[5] = float.NaN;
        string message = Refusal(OnnxModelBuilder.Build(spec));
        Assert.Contains("ONNX input R ('R0') of node 'rnn0' (LSTM) holds NaN at element 5", message);
    }

    [Fact]
    public void A_constant_non_zero_initial_state_is_refused_and_a_zero_one_accepted()
    {
        OnnxNodeSpec spec = OnnxNodeSpec.Random("LSTM", 3, 4, 1);
        ModelProto model = OnnxModelBuilder.Build(spec);
        NodeProto node = model.Graph.Node.Single(n => n.OpType == "LSTM");
        while (node.Input.Count < 6)
        {
            node.Input.Add(string.Empty);
        }

        node.Input[5] = "h0";
        model.Graph.Initializer.Add(OnnxModelBuilder.FloatTensor("h0", new float[8], WeightStorage.RawData, 1, 2, 4));
        Assert.Single(OnnxImportChainTests.Import(model));

        model.Graph.Initializer.Single(t => t.Name == "h0").RawData = ByteString.CopyFrom(BitConverter.GetBytes(0.5f).Concat(new byte[28]).ToArray());
        Assert.Contains("initial_h", Refusal(model));
    }

    [Fact]
    public void A_file_that_is_not_a_model_is_refused()
    {
        using var stream = new MemoryStream([0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]);
        FastRnnFormatException e = Assert.Throws<FastRnnFormatException>(() => OnnxImporter.Import(stream, null, "bad.onnx"));
        Assert.Contains("bad.onnx", e.Message);
    }

    [Fact]
    public void A_model_without_recurrent_nodes_is_refused()
    {
        var model = new ModelProto { Graph = new GraphProto() };
        model.Graph.Node.Add(new NodeProto { OpType = "Relu", Name = "relu" });
        Assert.Contains("no LSTM, GRU or RNN node", Refusal(model));
    }

    [Fact]
    public void A_refused_node_does_not_stop_importing_another_node_by_name()
    {
        ModelProto model = OnnxModelBuilder.Build([OnnxNodeSpec.Random("LSTM", 3, 4, 1), OnnxNodeSpec.Random("GRU", 4, 4, 2)]);
        model.Graph.Node.Single(n => n.Name == "rnn0").Attribute.Add(OnnxModelBuilder.Attribute("activations", "Sigmoid", "Tanh", "Swish"));
        Assert.Contains("'Swish'", Refusal(model));
        Assert.Equal("rnn1", Assert.Single(OnnxImportChainTests.Import(model, "rnn1")).Name);
        Assert.Throws<FastRnnFormatException>(() => OnnxImportChainTests.Import(model, "rnn0"));
    }

    private static void AssertRefused(string op, AttributeProto attribute, string named, bool replace = false)
    {
        ModelProto model = OnnxModelBuilder.Build(OnnxNodeSpec.Random(op, 3, 4, 1));
        NodeProto node = model.Graph.Node.Single(n => n.OpType == op);
        if (replace)
        {
            if (node.Attribute.SingleOrDefault(a => a.Name == attribute.Name) is AttributeProto old)
            {
                node.Attribute.Remove(old);
            }
        }

        node.Attribute.Add(attribute);
        string message = Refusal(model);
        Assert.Contains(named, message);
        Assert.Contains($"node 'rnn0' ({op})", message);
    }

    private static string Refusal(ModelProto model) =>
        Assert.Throws<FastRnnFormatException>(() => OnnxImportChainTests.Import(model)).Message;
}

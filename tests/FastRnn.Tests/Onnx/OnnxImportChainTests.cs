using System.Collections.Generic;
using System.IO;
using System.Linq;
using FastRnn.Onnx;
using FastRnn.Onnx.Model;
using Xunit;

namespace FastRnn.Tests.Onnx;

/// <summary>Stacks of recurrent nodes linked as torch.onnx.export links num_layers &gt; 1 become one multi-layer network; other arrangements do not.</summary>
public class OnnxImportChainTests
{
    [Theory]
    [InlineData("LSTM", 2, 2, false, 0)]
    [InlineData("LSTM", 3, 1, true, 0)]
    [InlineData("LSTM", 2, 2, true, 1)]
    [InlineData("GRU", 3, 2, true, 0)]
    [InlineData("GRU", 2, 1, false, 1)]
    [InlineData("RNN", 2, 2, true, 0)]
    [InlineData("RNN", 3, 1, false, 0)]
    public void A_pytorch_style_stack_is_one_network_that_matches_the_reference(string op, int layers, int directions, bool lengthsAndStates, int layout)
    {
        int seed = (layers * 31) + (directions * 7) + layout;
        List<OnnxNodeSpec> specs = [.. Enumerable.Range(0, layers).Select(k =>
            OnnxNodeSpec.Random(op, k == 0 ? 6 : directions * 5, 5, seed + k, directions, layout: layout, relu: op == "RNN" && directions == 2, peephole: op == "LSTM" && layers == 3))];
        var options = new OnnxModelOptions { SequenceLens = lengthsAndStates, InitialStates = lengthsAndStates };
        var c = new OnnxCase(specs, options, steps: 6, batch: 3, seed);

        ImportedNetwork imported = Assert.Single(c.Import());
        Assert.Equal(Enumerable.Range(0, layers).Select(k => $"rnn{k}"), imported.NodeNames);
        Assert.Equal(layers, imported.Network.Description.NumLayers);
        OnnxImportForwardTests.AssertMatches(c.RunReference(), c.RunFastRnn(imported.Network));
    }

    [Theory]
    [InlineData("LSTM", true)]
    [InlineData("GRU", false)]
    public void A_stack_of_reverse_nodes_is_one_reverse_network(string op, bool lengthsAndStates)
    {
        List<OnnxNodeSpec> specs = [OnnxNodeSpec.Random(op, 6, 5, 21, reverse: true), OnnxNodeSpec.Random(op, 5, 5, 22, reverse: true)];
        var c = new OnnxCase(specs, new OnnxModelOptions { SequenceLens = lengthsAndStates, InitialStates = lengthsAndStates }, steps: 6, batch: 3, seed: 21);

        ImportedNetwork imported = Assert.Single(c.Import());
        Assert.Equal(2, imported.Network.Description.NumLayers);
        Assert.True(imported.Network.Description.Reverse);
        OnnxImportForwardTests.AssertMatches(c.RunReference(), c.RunFastRnn(imported.Network));
    }

    [Fact]
    public void A_reverse_node_above_a_forward_node_is_a_network_of_its_own()
    {
        List<OnnxNodeSpec> specs = [OnnxNodeSpec.Random("LSTM", 6, 5, 23), OnnxNodeSpec.Random("LSTM", 5, 5, 24, reverse: true)];
        var c = new OnnxCase(specs, new OnnxModelOptions(), steps: 5, batch: 2, seed: 23);
        Assert.Equal(2, c.Import().Count);
    }

    [Fact]
    public void Squeeze_axes_given_as_an_attribute_link_layers_too()
    {
        List<OnnxNodeSpec> specs = [OnnxNodeSpec.Random("GRU", 4, 6, 1), OnnxNodeSpec.Random("GRU", 6, 6, 2)];
        ModelProto model = OnnxModelBuilder.Build(specs, new OnnxModelOptions { Opset = 11 });
        NodeProto squeeze = model.Graph.Node.Single(n => n.OpType == "Squeeze");
        squeeze.Input.RemoveAt(1);
        var axes = new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints };
        axes.Ints.Add(1);
        squeeze.Attribute.Add(axes);

        ImportedNetwork imported = Assert.Single(Import(model));
        Assert.Equal(2, imported.Network.Description.NumLayers);
    }

    [Fact]
    public void A_transpose_that_swaps_time_and_batch_breaks_the_chain()
    {
        List<OnnxNodeSpec> specs = [OnnxNodeSpec.Random("LSTM", 4, 5, 1, directions: 2), OnnxNodeSpec.Random("LSTM", 10, 5, 2, directions: 2)];
        ModelProto model = OnnxModelBuilder.Build(specs);
        NodeProto transpose = model.Graph.Node.Single(n => n.OpType == "Transpose");
        transpose.Attribute[0].Ints.Clear();
        transpose.Attribute[0].Ints.AddRange([2, 0, 1, 3]); // [T, D, B, H] -> [B, T, D, H]: reshaped to [B, T, D*H], read as [T, B, ...]

        IReadOnlyList<ImportedNetwork> networks = Import(model);
        Assert.Equal(2, networks.Count);
        Assert.All(networks, n => Assert.Equal(1, n.Network.Description.NumLayers));
    }

    [Fact]
    public void A_reshape_without_the_transpose_breaks_the_chain()
    {
        List<OnnxNodeSpec> specs = [OnnxNodeSpec.Random("GRU", 4, 5, 1, directions: 2), OnnxNodeSpec.Random("GRU", 10, 5, 2, directions: 2)];
        ModelProto model = OnnxModelBuilder.Build(specs);
        NodeProto reshape = model.Graph.Node.Single(n => n.OpType == "Reshape");
        reshape.Input[0] = "Y0"; // [T, D, B, H] reshaped straight to [T, B, D*H]: rows mix directions and batch entries
        model.Graph.Node.Remove(model.Graph.Node.Single(n => n.OpType == "Transpose"));
        model.Graph.Initializer.Single(t => t.Name == "shape1").Int64Data.Clear();
        model.Graph.Initializer.Single(t => t.Name == "shape1").Dims[0] = 3;
        model.Graph.Initializer.Single(t => t.Name == "shape1").Int64Data.AddRange([0, -1, 10]);

        Assert.Equal(2, Import(model).Count);
    }

    // Some graphs give a Reshape's shape or a Squeeze's axes as a Constant node's value_ints (or
    // value_int) rather than an initializer; the layers they link are still one network.
    [Theory]
    [InlineData(2, "shape1", "value_ints")]
    [InlineData(1, "squeeze_axes1", "value_ints")]
    [InlineData(1, "squeeze_axes1", "value_int")]
    public void A_link_whose_shape_or_axes_come_from_a_constants_integers_still_chains(int directions, string initializer, string attribute)
    {
        List<OnnxNodeSpec> specs = [OnnxNodeSpec.Random("GRU", 4, 5, 1, directions: directions), OnnxNodeSpec.Random("GRU", 5 * directions, 5, 2, directions: directions)];
        ModelProto model = OnnxModelBuilder.Build(specs);
        TensorProto tensor = model.Graph.Initializer.Single(t => t.Name == initializer);
        model.Graph.Initializer.Remove(tensor);
        var constant = new NodeProto { OpType = "Constant" };
        constant.Output.Add(initializer);
        var value = new AttributeProto { Name = attribute };
        if (attribute == "value_ints")
        {
            value.Type = AttributeProto.Types.AttributeType.Ints;
            value.Ints.AddRange(tensor.Int64Data);
        }
        else
        {
            value.Type = AttributeProto.Types.AttributeType.Int;
            value.I = tensor.Int64Data.Single();
        }

        constant.Attribute.Add(value);
        model.Graph.Node.Insert(0, constant);

        ImportedNetwork network = Assert.Single(Import(model));
        Assert.Equal(2, network.Network.Description.NumLayers);
    }

    [Fact]
    public void Nodes_of_different_kinds_or_sizes_are_separate_networks()
    {
        Assert.Equal(2, Import(OnnxModelBuilder.Build([OnnxNodeSpec.Random("LSTM", 4, 5, 1), OnnxNodeSpec.Random("GRU", 5, 5, 2)])).Count);
        Assert.Equal(2, Import(OnnxModelBuilder.Build([OnnxNodeSpec.Random("RNN", 4, 5, 1), OnnxNodeSpec.Random("RNN", 5, 7, 2)])).Count);
        Assert.Equal(2, Import(OnnxModelBuilder.Build([OnnxNodeSpec.Random("RNN", 4, 5, 1), OnnxNodeSpec.Random("RNN", 5, 5, 2, relu: true)])).Count);
        Assert.Equal(2, Import(OnnxModelBuilder.Build([OnnxNodeSpec.Random("LSTM", 4, 5, 1, bias: false), OnnxNodeSpec.Random("LSTM", 5, 5, 2)])).Count);
    }

    [Fact]
    public void An_output_feeding_two_recurrent_nodes_starts_no_chain()
    {
        List<OnnxNodeSpec> specs = [OnnxNodeSpec.Random("LSTM", 4, 5, 1), OnnxNodeSpec.Random("LSTM", 5, 5, 2)];
        ModelProto model = OnnxModelBuilder.Build(specs);
        NodeProto second = model.Graph.Node.Single(n => n.Name == "rnn1").Clone();
        second.Name = "rnn1b";
        second.Output.Clear();
        second.Output.Add("Yb");
        model.Graph.Node.Add(second);

        IReadOnlyList<ImportedNetwork> networks = Import(model);
        Assert.Equal(["rnn0", "rnn1", "rnn1b"], networks.Select(n => n.Name));
        Assert.All(networks, n => Assert.Equal(1, n.Network.Description.NumLayers));
    }

    [Fact]
    public void Node_name_selects_the_network_that_contains_the_node()
    {
        var specs = new List<OnnxNodeSpec> { OnnxNodeSpec.Random("GRU", 4, 5, 1), OnnxNodeSpec.Random("GRU", 5, 5, 2), OnnxNodeSpec.Random("LSTM", 5, 3, 3) };
        ModelProto model = OnnxModelBuilder.Build(specs);
        Assert.Equal(2, Import(model).Count);
        Assert.Equal(["rnn0", "rnn1"], Assert.Single(Import(model, "rnn1")).NodeNames);
        Assert.Equal(["rnn2"], Assert.Single(Import(model, "rnn2")).NodeNames);
        FastRnnFormatException e = Assert.Throws<FastRnnFormatException>(() => Import(model, "nope"));
        Assert.Contains("'nope'", e.Message);
        Assert.Contains("rnn0, rnn1, rnn2", e.Message);
    }

    [Fact]
    public void Unnamed_nodes_are_called_by_operator_and_index()
    {
        ModelProto model = OnnxModelBuilder.Build(OnnxNodeSpec.Random("RNN", 3, 4, 1));
        model.Graph.Node.Single(n => n.OpType == "RNN").Name = string.Empty;
        Assert.Equal("RNN#0", Assert.Single(Import(model)).Name);
    }

    internal static IReadOnlyList<ImportedNetwork> Import(ModelProto model, string? node = null)
    {
        using var stream = new MemoryStream(OnnxModelBuilder.Bytes(model));
        return OnnxImporter.Import(stream, node, "test.onnx");
    }
}

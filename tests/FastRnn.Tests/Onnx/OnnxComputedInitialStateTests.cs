using System.Linq;
using FastRnn.Onnx.Model;
using Xunit;

namespace FastRnn.Tests.Onnx;

/// <summary>
/// An initial state computed from constants only (a learned h0 broadcast to the batch with Expand, as
/// torch.onnx.export writes `self.h0.expand(...)`; a ConstantOfShape filled with a non-zero value) is a
/// constant non-zero initial state too: it is not a graph input the caller could pass to Forward, so it
/// must be refused like an initializer. Zeros (torch's own `torch.zeros` for a dynamic batch), graph
/// inputs and states computed from other inputs (an encoder's Y_h) stay run-time inputs.
/// </summary>
public sealed class OnnxComputedInitialStateTests
{
    [Theory]
    [InlineData("GRU", 5)]
    [InlineData("LSTM", 5)]
    [InlineData("LSTM", 6)]
    public void A_learned_initial_state_expanded_to_the_batch_is_refused(string op, int index)
    {
        ModelProto model = WithState(op, index, out string state);
        GraphProto graph = model.Graph;
        graph.Initializer.Add(OnnxModelBuilder.FloatTensor("h0_param", [0.5f, -0.25f, 0.125f, 0.75f], WeightStorage.RawData, 1, 1, 4));
        graph.Node.Insert(0, Node("Expand", "expand_h0", [state], "h0_param", BatchShape(graph)));

        FastRnnFormatException e = Assert.Throws<FastRnnFormatException>(() => OnnxImportChainTests.Import(model));
        Assert.Contains($"node 'rnn0' ({op})", e.Message);
        Assert.Contains(index == 5 ? "input initial_h" : "input initial_c", e.Message);
        Assert.Contains("non-zero", e.Message);
    }

    [Fact]
    public void A_constant_of_shape_with_a_non_zero_value_is_refused()
    {
        ModelProto model = WithState("GRU", 5, out string state);
        NodeProto fill = Node("ConstantOfShape", "fill_h0", [state], BatchShape(model.Graph));
        fill.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = OnnxModelBuilder.FloatTensor("v", [0.5f], WeightStorage.RawData, 1) });
        model.Graph.Node.Insert(0, fill);

        FastRnnFormatException e = Assert.Throws<FastRnnFormatException>(() => OnnxImportChainTests.Import(model));
        Assert.Contains("node 'rnn0' (GRU): input initial_h", e.Message);
        Assert.Contains("'fill_h0'", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Zeros_of_the_batch_size_are_accepted(bool explicitZero)
    {
        // torch.onnx.export of nn.GRU without h0 and a dynamic batch: ConstantOfShape (default 0), then Slice per layer.
        ModelProto model = WithState("GRU", 5, out string state);
        NodeProto fill = Node("ConstantOfShape", "fill_h0", ["zeros"], BatchShape(model.Graph));
        if (explicitZero)
        {
            fill.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = OnnxModelBuilder.FloatTensor("v", [0f], WeightStorage.RawData, 1) });
        }

        model.Graph.Initializer.Add(OnnxModelBuilder.Int64Tensor("starts", 0));
        model.Graph.Initializer.Add(OnnxModelBuilder.Int64Tensor("ends", 1));
        model.Graph.Node.Insert(0, fill);
        model.Graph.Node.Insert(1, Node("Slice", "slice_h0", [state], "zeros", "starts", "ends"));
        Assert.Single(OnnxImportChainTests.Import(model));
    }

    [Fact]
    public void A_state_computed_from_a_graph_input_is_a_run_time_input()
    {
        // A decoder started from an encoder's state, or h0 given as an input and sliced per layer.
        ModelProto model = WithState("LSTM", 5, out string state);
        model.Graph.Input.Add(new ValueInfoProto { Name = "h0_all" });
        model.Graph.Initializer.Add(OnnxModelBuilder.Int64Tensor("starts", 0));
        model.Graph.Initializer.Add(OnnxModelBuilder.Int64Tensor("ends", 1));
        model.Graph.Node.Insert(0, Node("Slice", "slice_h0", [state], "h0_all", "starts", "ends"));
        Assert.Single(OnnxImportChainTests.Import(model));
    }

    // One node (H = 4, I = 3) whose input `index` (5 initial_h, 6 initial_c) is the value returned in `state`.
    private static ModelProto WithState(string op, int index, out string state)
    {
        ModelProto model = OnnxModelBuilder.Build(OnnxNodeSpec.Random(op, 3, 4, 1));
        NodeProto node = model.Graph.Node.Single(n => n.OpType == op);
        while (node.Input.Count <= index)
        {
            node.Input.Add(string.Empty);
        }

        state = index == 5 ? "h0" : "c0";
        node.Input[index] = state;
        return model;
    }

    // [1, B, 4] with B read from X at run time, as exporters compute it: Shape, Gather, Unsqueeze, Concat.
    private static string BatchShape(GraphProto graph)
    {
        graph.Initializer.Add(OnnxModelBuilder.Int64Tensor("one", 1));
        graph.Initializer.Add(OnnxModelBuilder.Int64Tensor("hidden", 4));
        var index = new TensorProto { Name = "batch_axis", DataType = (int)TensorProto.Types.DataType.Int64 };
        index.Int64Data.Add(1);
        graph.Initializer.Add(index);
        graph.Initializer.Add(OnnxModelBuilder.Int64Tensor("axes0", 0));
        NodeProto concat = Node("Concat", "concat_shape", ["state_shape"], "one", "batch", "hidden");
        concat.Attribute.Add(OnnxModelBuilder.Attribute("axis", 0L));
        graph.Node.Insert(0, Node("Shape", "shape_x", ["x_shape"], "X"));
        graph.Node.Insert(1, Node("Gather", "gather_b", ["b"], "x_shape", "batch_axis"));
        graph.Node.Insert(2, Node("Unsqueeze", "unsqueeze_b", ["batch"], "b", "axes0"));
        graph.Node.Insert(3, concat);
        return "state_shape";
    }

    private static NodeProto Node(string op, string name, string[] outputs, params string[] inputs)
    {
        var node = new NodeProto { Name = name, OpType = op };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }
}

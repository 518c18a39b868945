using System.Collections.Generic;
using System.Linq;
using FastRnn.Onnx;
using FastRnn.Onnx.Model;
using Xunit;

namespace FastRnn.Tests.Onnx;

/// <summary>
/// A multi-layer network computes only its last layer's output, so nodes are one network only when the
/// lower node's Y serves nothing but the next layer. A Y (or the reshaped value between the layers) that
/// the graph also uses elsewhere, by another node (a residual connection, ELMo's mix of every layer) or as
/// a graph output, would be lost: no imported network could compute it. Such nodes are networks of their own.
/// </summary>
public sealed class OnnxSharedLayerOutputTests
{
    [Fact]
    public void A_layer_output_also_used_by_a_residual_add_is_not_merged_into_a_stack()
    {
        // X1 = Squeeze(Y0) feeds rnn1 and also Z = X1 + Squeeze(Y1).
        ModelProto model = OnnxModelBuilder.Build([OnnxNodeSpec.Random("LSTM", 4, 5, 1), OnnxNodeSpec.Random("LSTM", 5, 5, 2)]);
        GraphProto graph = model.Graph;
        graph.Initializer.Add(OnnxModelBuilder.Int64Tensor("axes_top", 1));
        var squeeze = new NodeProto { Name = "squeeze_top", OpType = "Squeeze" };
        squeeze.Input.AddRange(["Y", "axes_top"]);
        squeeze.Output.Add("Y_top");
        var add = new NodeProto { Name = "residual", OpType = "Add" };
        add.Input.AddRange(["X1", "Y_top"]);
        add.Output.Add("Z");
        graph.Node.Add(squeeze);
        graph.Node.Add(add);
        graph.Output.Add(new ValueInfoProto { Name = "Z" });

        IReadOnlyList<ImportedNetwork> networks = OnnxImportChainTests.Import(model);
        Assert.Equal(["rnn0", "rnn1"], networks.Select(n => n.Name));
        Assert.All(networks, n => Assert.Equal(1, n.Network.Description.NumLayers));
    }

    [Fact]
    public void A_layer_output_that_is_also_a_graph_output_is_not_merged_into_a_stack()
    {
        ModelProto model = OnnxModelBuilder.Build([OnnxNodeSpec.Random("GRU", 4, 5, 1, directions: 2), OnnxNodeSpec.Random("GRU", 10, 5, 2, directions: 2)]);
        if (!model.Graph.Output.Any(o => o.Name == "Y0"))
        {
            model.Graph.Output.Add(new ValueInfoProto { Name = "Y0" });
        }

        IReadOnlyList<ImportedNetwork> networks = OnnxImportChainTests.Import(model);
        Assert.Equal(["rnn0", "rnn1"], networks.Select(n => n.Name));
    }
}

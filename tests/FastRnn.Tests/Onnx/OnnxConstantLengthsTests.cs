using System.Linq;
using FastRnn.Onnx.Model;
using Xunit;

namespace FastRnn.Tests.Onnx;

/// <summary>
/// A node whose sequence_lens is a constant (an initializer, e.g. folded by a simplifier for a fixed
/// batch) masks the steps past each length, which a network file cannot hold: like a constant
/// non-zero initial state it must be refused, unless every length is the whole sequence (X's static T).
/// </summary>
public sealed class OnnxConstantLengthsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void A_constant_sequence_lens_shorter_than_the_sequence_is_refused(int layout)
    {
        ModelProto model = WithConstantLengths(layout, steps: 5, lengths: [5, 2]);
        FastRnnFormatException e = Assert.Throws<FastRnnFormatException>(() => OnnxImportChainTests.Import(model));
        Assert.Contains("node 'rnn0'", e.Message);
        Assert.Contains("sequence_lens is a constant [5, 2]", e.Message);
    }

    [Fact]
    public void A_constant_sequence_lens_without_a_static_sequence_length_is_refused()
    {
        ModelProto model = WithConstantLengths(0, steps: null, lengths: [5, 5]);
        FastRnnFormatException e = Assert.Throws<FastRnnFormatException>(() => OnnxImportChainTests.Import(model));
        Assert.Contains("sequence_lens is a constant [5, 5]", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void A_constant_sequence_lens_of_the_whole_static_sequence_is_accepted(int layout)
    {
        ModelProto model = WithConstantLengths(layout, steps: 5, lengths: [5, 5]);
        Assert.Single(OnnxImportChainTests.Import(model));
    }

    // One GRU node; X's time axis fixed at `steps` (or symbolic when null); sequence_lens an INT32 initializer.
    private static ModelProto WithConstantLengths(int layout, int? steps, int[] lengths)
    {
        ModelProto model = OnnxModelBuilder.Build(OnnxNodeSpec.Random("GRU", 3, 4, 1) with { Layout = layout });
        ValueInfoProto x = model.Graph.Input.Single(v => v.Name == "X");
        TensorShapeProto.Types.Dimension time = x.Type.TensorType.Shape.Dim[layout == 0 ? 0 : 1];
        if (steps is int t)
        {
            time.DimValue = t;
        }

        NodeProto node = model.Graph.Node.Single(n => n.OpType == "GRU");
        while (node.Input.Count < 5)
        {
            node.Input.Add(string.Empty);
        }

        node.Input[4] = "lens";
        var tensor = new TensorProto { Name = "lens", DataType = (int)TensorProto.Types.DataType.Int32 };
        tensor.Dims.Add(lengths.Length);
        tensor.Int32Data.AddRange(lengths);
        model.Graph.Initializer.Add(tensor);
        return model;
    }
}

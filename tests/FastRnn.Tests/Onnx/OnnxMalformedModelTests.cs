using System;
using System.IO;
using System.Linq;
using FastRnn.Onnx;
using FastRnn.Onnx.Model;
using Google.Protobuf;
using Xunit;

namespace FastRnn.Tests.Onnx;

/// <summary>Malformed models (as a fuzzer makes them) are refused cheaply, with messages in ONNX's own terms.</summary>
public class OnnxMalformedModelTests
{
    /// <summary>dims that claim 2^28 - 1 elements: ElementCount's limit, 2 GB as int64.</summary>
    private const long HugeDim = 268435455;

    [Theory]
    [InlineData("Reshape", false)]
    [InlineData("Reshape", true)]
    [InlineData("Squeeze", false)]
    [InlineData("Squeeze", true)]
    public void An_integer_tensor_whose_dims_claim_more_than_it_stores_is_refused_before_allocating(string op, bool raw)
    {
        // Two LSTMs (I=3, H=2 then I=2, H=2) linked by a Squeeze, or by a Reshape to [0, 0, -1].
        ModelProto model = OnnxModelBuilder.Build([OnnxNodeSpec.Random("LSTM", 3, 2, 1), OnnxNodeSpec.Random("LSTM", 2, 2, 2)]);
        NodeProto link = model.Graph.Node.Single(n => n.OpType == "Squeeze");
        link.OpType = op;
        TensorProto tensor = model.Graph.Initializer.Single(t => t.Name == "squeeze_axes1");
        long[] values = op == "Reshape" ? [0, 0, -1] : [1];
        tensor.Int64Data.Clear();
        tensor.Dims[0] = HugeDim;
        if (raw)
        {
            tensor.RawData = ByteString.CopyFrom([.. values.SelectMany(BitConverter.GetBytes)]);
        }
        else
        {
            tensor.Int64Data.AddRange(values);
        }

        byte[] bytes = OnnxModelBuilder.Bytes(model);
        Assert.True(bytes.Length < 2048);
        long before = GC.GetAllocatedBytesForCurrentThread();
        FastRnnFormatException e = Assert.Throws<FastRnnFormatException>(() => OnnxImporter.Import(new MemoryStream(bytes), null, "fuzz.onnx"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 64L << 20, $"importing a {bytes.Length}-byte model allocated {allocated} bytes");
        Assert.Contains("'squeeze_axes1'", e.Message);
        Assert.Contains($"[{HugeDim}]", e.Message);
        Assert.Contains($"{HugeDim} elements", e.Message);
        Assert.Contains(raw ? $"{values.Length * sizeof(long)} bytes of raw_data" : $"{values.Length} values in int64_data", e.Message);
    }

    [Fact]
    public void Duplicate_initializer_names_are_refused()
    {
        ModelProto model = OnnxModelBuilder.Build(OnnxNodeSpec.Random("LSTM", 3, 2, 1));
        model.Graph.Initializer.Add(model.Graph.Initializer.Single(t => t.Name == "R0").Clone());
        string message = Refusal(model);
        Assert.Contains("'R0'", message);
        Assert.Contains("initializer", message);
    }

    [Fact]
    public void An_initializer_that_is_also_a_constant_nodes_output_is_refused()
    {
        ModelProto model = OnnxModelBuilder.Build(OnnxNodeSpec.Random("LSTM", 3, 2, 1));
        TensorProto w = model.Graph.Initializer.Single(t => t.Name == "W0");
        var constant = new NodeProto { Name = "const_W0", OpType = "Constant" };
        constant.Output.Add("W0");
        constant.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = w.Clone() });
        model.Graph.Node.Insert(0, constant);
        string message = Refusal(model);
        Assert.Contains("'W0'", message);
        Assert.Contains("'const_W0'", message);
    }

    [Fact]
    public void Two_constant_nodes_with_one_output_name_are_refused()
    {
        ModelProto model = OnnxModelBuilder.Build(OnnxNodeSpec.Random("GRU", 3, 2, 1), new OnnxModelOptions { Storage = WeightStorage.ConstantNode });
        NodeProto copy = model.Graph.Node.Single(n => n.Name == "const_B0").Clone();
        copy.Name = "const_B0_again";
        model.Graph.Node.Insert(0, copy);
        string message = Refusal(model);
        Assert.Contains("'B0'", message);
        Assert.Contains("'const_B0_again'", message);
    }

    [Theory]
    [InlineData("W", 6, float.NaN, "NaN")]
    [InlineData("W", 0, float.PositiveInfinity, "+Inf")]
    [InlineData("R", 5, float.NegativeInfinity, "-Inf")]
    [InlineData("R", 15, float.NaN, "NaN")]
    [InlineData("B", 9, float.PositiveInfinity, "+Inf")]
    [InlineData("B", 15, float.NaN, "NaN")]
    public void A_non_finite_weight_is_reported_by_onnx_input_initializer_and_flat_index(string input, int index, float value, string named)
    {
        // LSTM I=3, H=2: W [1, 8, 3], R [1, 8, 2], B [1, 16]; W's element 6 is in gate block o (ONNX order i, o, f, c).
        OnnxNodeSpec spec = OnnxNodeSpec.Random("LSTM", 3, 2, 1);
        float[] tensor = input switch { "W" => spec.W, "R" => spec.R, _ => spec.B! };
        tensor[index] = value;
        string message = Refusal(OnnxModelBuilder.Build(spec));
        Assert.Contains($"ONNX input {input} ('{input}0') of node 'rnn0' (LSTM) holds {named} at element {index}", message);
        Assert.DoesNotContain("Parameter", message);
    }

    [Fact]
    public void A_non_finite_weight_in_a_constant_node_and_float_data_is_reported_too()
    {
        OnnxNodeSpec spec = OnnxNodeSpec.Random("GRU", 3, 2, 1);
        spec.R[3] = float.NaN;
        string message = Refusal(OnnxModelBuilder.Build(spec, new OnnxModelOptions { Storage = WeightStorage.ConstantNode }));
        Assert.Contains("ONNX input R ('R0') of node 'rnn0' (GRU) holds NaN at element 3", message);
        spec.R[3] = 0;
        spec.W[2] = float.NegativeInfinity;
        message = Refusal(OnnxModelBuilder.Build(spec, new OnnxModelOptions { Storage = WeightStorage.FloatData }));
        Assert.Contains("ONNX input W ('W0') of node 'rnn0' (GRU) holds -Inf at element 2", message);
    }

    [Fact]
    public void A_directory_is_refused_as_a_directory()
    {
        DirectoryInfo folder = Directory.CreateTempSubdirectory("fastrnn-onnx-dir-");
        try
        {
            FastRnnFormatException e = Assert.Throws<FastRnnFormatException>(() => OnnxImporter.Import(folder.FullName));
            Assert.Contains($"'{folder.FullName}' is a directory, not an ONNX model file", e.Message);
        }
        finally
        {
            folder.Delete();
        }
    }

    [Fact]
    public void A_stream_without_a_source_name_reads_naturally()
    {
        FastRnnFormatException noGraph = Assert.Throws<FastRnnFormatException>(() => OnnxImporter.Import(new MemoryStream([])));
        Assert.Equal("the stream: the ONNX model has no graph.", noGraph.Message);
        FastRnnFormatException notModel = Assert.Throws<FastRnnFormatException>(() => OnnxImporter.Import(new MemoryStream([0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01])));
        Assert.StartsWith("the stream: not an ONNX model", notModel.Message);
    }

    [Theory]
    [InlineData("value_floats")]
    [InlineData("value_float")]
    public void A_weight_from_a_constant_without_a_value_tensor_names_what_is_supported(string attribute)
    {
        ModelProto model = OnnxModelBuilder.Build(OnnxNodeSpec.Random("RNN", 3, 2, 1));
        TensorProto r = model.Graph.Initializer.Single(t => t.Name == "R0");
        model.Graph.Initializer.Remove(r);
        var constant = new NodeProto { OpType = "Constant" };
        constant.Output.Add("R0");
        var a = new AttributeProto { Name = attribute };
        if (attribute == "value_float")
        {
            a.Type = AttributeProto.Types.AttributeType.Float;
            a.F = 0.5f;
        }
        else
        {
            a.Type = AttributeProto.Types.AttributeType.Floats;
            a.Floats.AddRange([.. Enumerable.Repeat(0.5f, 4)]);
        }

        constant.Attribute.Add(a);
        model.Graph.Node.Insert(0, constant);
        string message = Refusal(model);
        Assert.Contains($"input R ('R0') is the output of Constant node 'Constant#0', which gives its value in attribute '{attribute}'", message);
        Assert.Contains("only a Constant's 'value' tensor attribute", message);
        Assert.DoesNotContain("is computed by node", message);
    }

    private static string Refusal(ModelProto model) =>
        Assert.Throws<FastRnnFormatException>(() => OnnxImportChainTests.Import(model)).Message;
}

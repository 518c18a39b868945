using System;
using System.Collections.Generic;
using System.Linq;
using FastRnn.Onnx.Model;
using Google.Protobuf;

namespace FastRnn.Tests.Onnx;

/// <summary>How a test model stores its weights.</summary>
internal enum WeightStorage
{
    RawData,
    FloatData,
    ConstantNode,
}

/// <summary>Options of a test model beyond its recurrent nodes.</summary>
internal sealed class OnnxModelOptions
{
    public WeightStorage Storage { get; init; } = WeightStorage.RawData;

    /// <summary>Add graph input sequence_lens (INT32 [B]) to every node.</summary>
    public bool SequenceLens { get; init; }

    /// <summary>Add graph inputs initial_h{k} (and initial_c{k} for LSTM) for every node k.</summary>
    public bool InitialStates { get; init; }

    /// <summary>Attributes added to every recurrent node (for refusal tests).</summary>
    public IReadOnlyList<AttributeProto> ExtraAttributes { get; init; } = [];

    public int Opset { get; init; } = 14;
}

/// <summary>
/// Builds ONNX models with the importer's generated protobuf types: one recurrent node, or a stack
/// linked as torch.onnx.export links num_layers &gt; 1 (Y → Transpose [0, 2, 1, 3] → Reshape [0, 0, -1]
/// when bidirectional, Y → Squeeze(axis 1) otherwise; layout 1: Reshape [0, 0, -1] / Squeeze(axis 2)).
/// Node k is named "rnn{k}"; graph inputs X, sequence_lens, initial_h{k}, initial_c{k}; outputs Y (of
/// the last node), Y_h{k}, Y_c{k}.
/// </summary>
internal static class OnnxModelBuilder
{
    public static ModelProto Build(IReadOnlyList<OnnxNodeSpec> layers, OnnxModelOptions? options = null)
    {
        options ??= new OnnxModelOptions();
        var graph = new GraphProto { Name = "test" };
        OnnxNodeSpec first = layers[0];
        string[] xDims = first.Layout == 0 ? ["T", "B"] : ["B", "T"];
        graph.Input.Add(Value("X", TensorProto.Types.DataType.Float, xDims[0], xDims[1], first.InputSize));
        if (options.SequenceLens)
        {
            graph.Input.Add(Value("sequence_lens", TensorProto.Types.DataType.Int32, "B"));
        }

        string x = "X";
        for (int k = 0; k < layers.Count; k++)
        {
            OnnxNodeSpec spec = layers[k];
            if (k > 0)
            {
                x = AddLink(graph, layers[k - 1], $"Y{k - 1}", k, options.Storage);
            }

            AddNode(graph, spec, k, x, k == layers.Count - 1 ? "Y" : $"Y{k}", options);
        }

        var model = new ModelProto { IrVersion = 8, ProducerName = "FastRnn.Tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = options.Opset });
        return model;
    }

    public static ModelProto Build(OnnxNodeSpec single, OnnxModelOptions? options = null) => Build([single], options);

    public static byte[] Bytes(ModelProto model) => model.ToByteArray();

    public static AttributeProto Attribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Attribute(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Attribute(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Attribute(string name, params string[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        a.Strings.AddRange(values.Select(ByteString.CopyFromUtf8));
        return a;
    }

    public static AttributeProto Attribute(string name, params float[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        a.Floats.AddRange(values);
        return a;
    }

    public static TensorProto FloatTensor(string name, float[] values, WeightStorage storage, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        if (storage == WeightStorage.FloatData)
        {
            t.FloatData.AddRange(values);
        }
        else
        {
            byte[] raw = new byte[values.Length * sizeof(float)];
            Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
            t.RawData = ByteString.CopyFrom(raw);
        }

        return t;
    }

    public static TensorProto Int64Tensor(string name, params long[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        return t;
    }

    private static void AddNode(GraphProto graph, OnnxNodeSpec spec, int k, string x, string y, OnnxModelOptions options)
    {
        int g = spec.Gates * spec.HiddenSize, d = spec.Directions;
        var node = new NodeProto { Name = $"rnn{k}", OpType = spec.Op };
        node.Input.Add(x);
        node.Input.Add(AddConstant(graph, FloatTensor($"W{k}", spec.W, options.Storage, d, g, spec.InputSize), options.Storage));
        node.Input.Add(AddConstant(graph, FloatTensor($"R{k}", spec.R, options.Storage, d, g, spec.HiddenSize), options.Storage));
        node.Input.Add(spec.B is null ? string.Empty : AddConstant(graph, FloatTensor($"B{k}", spec.B, options.Storage, d, 2 * g), options.Storage));
        node.Input.Add(options.SequenceLens ? "sequence_lens" : string.Empty);
        string[] stateDims = spec.Layout == 0 ? [d.ToString(), "B"] : ["B", d.ToString()];
        if (options.InitialStates)
        {
            graph.Input.Add(StateValue($"initial_h{k}", spec, stateDims));
            node.Input.Add($"initial_h{k}");
            if (spec.Op == "LSTM")
            {
                graph.Input.Add(StateValue($"initial_c{k}", spec, stateDims));
                node.Input.Add($"initial_c{k}");
            }
        }
        else
        {
            node.Input.Add(string.Empty);
            node.Input.Add(string.Empty);
        }

        if (spec.P is not null)
        {
            node.Input.Add(AddConstant(graph, FloatTensor($"P{k}", spec.P, options.Storage, d, 3 * spec.HiddenSize), options.Storage));
        }

        while (node.Input.Count > 3 && node.Input[^1].Length == 0)
        {
            node.Input.RemoveAt(node.Input.Count - 1);
        }

        node.Output.Add(y);
        node.Output.Add($"Y_h{k}");
        if (spec.Op == "LSTM")
        {
            node.Output.Add($"Y_c{k}");
        }

        node.Attribute.Add(Attribute("hidden_size", (long)spec.HiddenSize));
        node.Attribute.Add(Attribute("direction", d == 2 ? "bidirectional" : spec.Reverse ? "reverse" : "forward"));
        if (spec.Layout != 0)
        {
            node.Attribute.Add(Attribute("layout", (long)spec.Layout));
        }

        if (spec.Op == "GRU")
        {
            node.Attribute.Add(Attribute("linear_before_reset", (long)spec.LinearBeforeReset));
        }

        if (spec.Clip is float clip)
        {
            node.Attribute.Add(Attribute("clip", clip));
        }

        if (spec.InputForget)
        {
            node.Attribute.Add(Attribute("input_forget", 1L));
        }

        string[]? activations = spec.Op switch
        {
            "RNN" when spec.Relu => ["Relu"],
            "RNN" when spec.ExplicitActivations => ["Tanh"],
            "GRU" when spec.ExplicitActivations => ["Sigmoid", "Tanh"],
            "LSTM" when spec.ExplicitActivations => ["Sigmoid", "Tanh", "Tanh"],
            _ => null,
        };
        if (spec.Activations is not null)
        {
            node.Attribute.Add(Attribute("activations", spec.Activations));
        }
        else if (activations is not null)
        {
            node.Attribute.Add(Attribute("activations", [.. Enumerable.Repeat(activations, d).SelectMany(a => a)]));
        }

        if (spec.ActivationAlpha is not null)
        {
            node.Attribute.Add(Attribute("activation_alpha", spec.ActivationAlpha));
        }

        if (spec.ActivationBeta is not null)
        {
            node.Attribute.Add(Attribute("activation_beta", spec.ActivationBeta));
        }

        node.Attribute.Add(options.ExtraAttributes);
        graph.Node.Add(node);
        if (y == "Y")
        {
            graph.Output.Add(new ValueInfoProto { Name = y });
        }

        graph.Output.Add(new ValueInfoProto { Name = $"Y_h{k}" });
        if (spec.Op == "LSTM")
        {
            graph.Output.Add(new ValueInfoProto { Name = $"Y_c{k}" });
        }
    }

    /// <summary>The ops torch.onnx.export puts between layers; returns the next layer's X.</summary>
    private static string AddLink(GraphProto graph, OnnxNodeSpec below, string y, int k, WeightStorage storage)
    {
        if (below.Directions == 1)
        {
            string axes = AddConstant(graph, Int64Tensor($"squeeze_axes{k}", below.Layout == 0 ? 1 : 2), storage);
            var squeeze = new NodeProto { Name = $"squeeze{k}", OpType = "Squeeze" };
            squeeze.Input.Add(y);
            squeeze.Input.Add(axes);
            squeeze.Output.Add($"X{k}");
            graph.Node.Add(squeeze);
            return $"X{k}";
        }

        string input = y;
        if (below.Layout == 0)
        {
            var transpose = new NodeProto { Name = $"transpose{k}", OpType = "Transpose" };
            transpose.Input.Add(y);
            transpose.Output.Add($"Yt{k}");
            var perm = new AttributeProto { Name = "perm", Type = AttributeProto.Types.AttributeType.Ints };
            perm.Ints.AddRange([0, 2, 1, 3]);
            transpose.Attribute.Add(perm);
            graph.Node.Add(transpose);
            input = $"Yt{k}";
        }

        string shape = AddConstant(graph, Int64Tensor($"shape{k}", 0, 0, -1), storage);
        var reshape = new NodeProto { Name = $"reshape{k}", OpType = "Reshape" };
        reshape.Input.Add(input);
        reshape.Input.Add(shape);
        reshape.Output.Add($"X{k}");
        graph.Node.Add(reshape);
        return $"X{k}";
    }

    /// <summary>Adds the tensor as an initializer, or as a Constant node's value; returns its value name.</summary>
    public static string AddConstant(GraphProto graph, TensorProto tensor, WeightStorage storage)
    {
        if (storage != WeightStorage.ConstantNode)
        {
            graph.Initializer.Add(tensor);
            return tensor.Name;
        }

        var node = new NodeProto { Name = "const_" + tensor.Name, OpType = "Constant" };
        node.Output.Add(tensor.Name);
        node.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = tensor });
        graph.Node.Add(node);
        return tensor.Name;
    }

    private static ValueInfoProto StateValue(string name, OnnxNodeSpec spec, string[] dims) =>
        Value(name, TensorProto.Types.DataType.Float, dims[0], dims[1], spec.HiddenSize);

    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (object dim in dims)
        {
            shape.Dim.Add(dim switch
            {
                int n => new TensorShapeProto.Types.Dimension { DimValue = n },
                string s when long.TryParse(s, out long n) => new TensorShapeProto.Types.Dimension { DimValue = n },
                string s => new TensorShapeProto.Types.Dimension { DimParam = s },
                _ => throw new ArgumentException("dimension must be int or string"),
            });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using FastRnn.Networks;
using FastRnn.Onnx.Model;

namespace FastRnn.Onnx;

/// <summary>
/// Reads one kind of ONNX recurrent node (LSTM, GRU or RNN) and maps its weights onto PyTorch
/// <c>state_dict</c> tensors: the attributes and inputs all three operators share live here,
/// the gate order and the operator's own attributes in the subclasses.
/// </summary>
internal abstract class RecurrentNodeMapper
{
    private static readonly string[] SharedAttributes = ["activation_alpha", "activation_beta", "activations", "clip", "direction", "hidden_size", "layout"];

    /// <summary>The ONNX operator, e.g. LSTM.</summary>
    public abstract string OperatorType { get; }

    /// <summary>Gate blocks in W's rows: 4, 3 or 1.</summary>
    protected abstract int GateCount { get; }

    /// <summary>For each PyTorch gate block (LSTM i, f, g, o; GRU r, z, n), the ONNX block it comes from.</summary>
    protected abstract int[] OnnxBlockOfPyTorchGate { get; }

    /// <summary>Attributes of this operator beyond those all three share.</summary>
    protected abstract string[] OwnAttributes { get; }

    /// <summary>The mapper for an operator type, or null if FastRnn does not import it.</summary>
    public static RecurrentNodeMapper? For(NodeProto node) =>
        !OnnxGraph.IsDefaultDomain(node) ? null : node.OpType switch
        {
            "LSTM" => LstmNodeMapper.Instance,
            "GRU" => GruNodeMapper.Instance,
            "RNN" => RnnNodeMapper.Instance,
            _ => null,
        };

    /// <summary>Validates the node and reads its constant inputs.</summary>
    /// <param name="node">The node; its op_type is <see cref="OperatorType"/>.</param>
    /// <param name="graph">The graph holding it.</param>
    /// <param name="ambiguous">What to do with activations the specification and ONNX Runtime read differently.</param>
    /// <returns>The node, ready to map.</returns>
    /// <exception cref="FastRnnFormatException">An attribute or input FastRnn cannot compute identically, or malformed data; the message names it.</exception>
    public RecurrentNode Read(NodeProto node, OnnxGraph graph, AmbiguousActivations ambiguous)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(graph);
        string name = graph.NameOf(node);
        string where = $"{graph.Where}: node '{name}' ({OperatorType})";
        var attributes = new NodeAttributes(node, [.. SharedAttributes, .. OwnAttributes], where);
        string direction = attributes.Text("direction", "forward");
        int directions = direction switch
        {
            "forward" => 1,
            "bidirectional" => 2,
            "reverse" => 1,
            _ => throw new FastRnnFormatException($"{where}: direction '{direction}' is not one of forward, reverse, bidirectional."),
        };
        float? clip = attributes.Real("clip");
        if (clip is float limit && !(limit > 0 && float.IsFinite(limit)))
        {
            throw new FastRnnFormatException(string.Create(CultureInfo.InvariantCulture, $"{where}: attribute clip = {limit} is not a positive finite threshold."));
        }

        long layout = attributes.Integer("layout", 0);
        if (layout is not (0 or 1))
        {
            throw new FastRnnFormatException(string.Create(CultureInfo.InvariantCulture, $"{where}: attribute layout = {layout} is not 0 or 1."));
        }

        (CellKind kind, CellVariant variant) = ReadCell(attributes, where);
        CellActivations[] activations = OnnxActivationReader.Read(attributes, kind, directions, ambiguous, where);
        if (kind == CellKind.RnnTanh && Array.TrueForAll(activations, a => a == CellActivations.DefaultFor(CellKind.RnnRelu)))
        {
            kind = CellKind.RnnRelu;
        }
        if (node.Input.Count < 3 || node.Input[0].Length == 0)
        {
            throw new FastRnnFormatException($"{where}: needs inputs X, W and R; it has [{string.Join(", ", node.Input)}].");
        }

        int g = GateCount;
        float[] w = Weight(node, 1, "W", graph, where, out TensorProto wTensor);
        float[] r = Weight(node, 2, "R", graph, where, out TensorProto rTensor);
        if (wTensor.Dims.Count != 3 || rTensor.Dims.Count != 3 || wTensor.Dims[0] != directions || rTensor.Dims[0] != directions
            || rTensor.Dims[1] != g * rTensor.Dims[2] || wTensor.Dims[1] != rTensor.Dims[1] || wTensor.Dims[2] < 1 || rTensor.Dims[2] < 1)
        {
            throw new FastRnnFormatException($"{where}: W has shape [{OnnxTensors.Dims(wTensor)}] and R [{OnnxTensors.Dims(rTensor)}]; expected [{directions}, {g}*hidden_size, input_size] and [{directions}, {g}*hidden_size, hidden_size] for direction '{direction}'.");
        }

        int hidden = checked((int)rTensor.Dims[2]);
        long declared = attributes.Integer("hidden_size", hidden);
        if (declared != hidden)
        {
            throw new FastRnnFormatException(string.Create(CultureInfo.InvariantCulture, $"{where}: attribute hidden_size = {declared}, but R has shape [{OnnxTensors.Dims(rTensor)}] (hidden size {hidden})."));
        }

        float[]? b = OptionalWeight(node, 3, "B", graph, where, [directions, 2 * g * hidden]);
        float[]? p = PeepholeInputIndex is int pIndex ? OptionalWeight(node, pIndex, "P", graph, where, [directions, 3 * hidden]) : null;
        RequireZeroOrInput(node, 5, "initial_h", graph, where);
        RequireZeroOrInput(node, 6, "initial_c", graph, where);
        RequireWholeOrInputLengths(node, graph, layout == 0 ? 0 : 1, where);
        return new RecurrentNode
        {
            Node = node,
            Name = name,
            Mapper = this,
            Kind = kind,
            Variant = p is null ? variant : CellVariant.Peephole,
            Directions = directions,
            Reverse = direction == "reverse",
            Clip = clip,
            Activations = activations,
            CoupledInputForget = ReadInputForget(attributes, where),
            HiddenSize = hidden,
            InputSize = checked((int)wTensor.Dims[2]),
            BatchFirst = layout == 1,
            W = w,
            R = r,
            B = b,
            P = p,
        };
    }

    /// <summary>Adds the node's weights as layer <paramref name="layer"/> under PyTorch names and gate order.</summary>
    /// <param name="node">A node this mapper read.</param>
    /// <param name="layer">The layer index in the network.</param>
    /// <param name="parameters">The state_dict being built.</param>
    public void AddParameters(RecurrentNode node, int layer, Dictionary<string, float[]> parameters)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(parameters);
        int h = node.HiddenSize, gh = GateCount * h;
        for (int d = 0; d < node.Directions; d++)
        {
            parameters[NetworkDescription.ParameterName("weight_ih", layer, d)] = ReorderGates(node.W.AsSpan(d * gh * node.InputSize, gh * node.InputSize), h, node.InputSize);
            parameters[NetworkDescription.ParameterName("weight_hh", layer, d)] = ReorderGates(node.R.AsSpan(d * gh * h, gh * h), h, h);
            if (node.B is float[] b)
            {
                parameters[NetworkDescription.ParameterName("bias_ih", layer, d)] = ReorderGates(b.AsSpan(d * 2 * gh, gh), h, 1);
                parameters[NetworkDescription.ParameterName("bias_hh", layer, d)] = ReorderGates(b.AsSpan((d * 2 * gh) + gh, gh), h, 1);
            }

            if (node.P is float[] p)
            {
                AddPeepholes(p.AsSpan(d * 3 * h, 3 * h), h, layer, d, parameters);
            }
        }
    }

    /// <summary>Checks the operator's own attributes; returns the FastRnn cell they describe (RNN_TANH for an RNN: its activations decide).</summary>
    protected abstract (CellKind Kind, CellVariant Variant) ReadCell(NodeAttributes attributes, string where);

    /// <summary>Whether the node couples its forget gate to its input gate (LSTM <c>input_forget</c>); false for other operators.</summary>
    protected virtual bool ReadInputForget(NodeAttributes attributes, string where) => false;

    /// <summary>The index of input P (LSTM peepholes), or null when the operator has none.</summary>
    protected virtual int? PeepholeInputIndex => null;

    /// <summary>Adds one direction's peephole weights (P's i, o, f blocks); only operators with P override it.</summary>
    protected virtual void AddPeepholes(ReadOnlySpan<float> p, int hidden, int layer, int direction, Dictionary<string, float[]> parameters) =>
        throw new InvalidOperationException($"{OperatorType} has no peephole input.");

    private float[] ReorderGates(ReadOnlySpan<float> onnx, int hidden, int columns)
    {
        int block = hidden * columns;
        float[] pytorch = new float[onnx.Length];
        int[] source = OnnxBlockOfPyTorchGate;
        for (int gate = 0; gate < source.Length; gate++)
        {
            onnx.Slice(source[gate] * block, block).CopyTo(pytorch.AsSpan(gate * block, block));
        }

        return pytorch;
    }

    private static float[] Weight(NodeProto node, int index, string input, OnnxGraph graph, string where, out TensorProto tensor)
    {
        string value = node.Input[index];
        if (value.Length == 0)
        {
            throw new FastRnnFormatException($"{where}: input {input} is missing.");
        }

        if (!graph.TryGetConstant(value, out tensor))
        {
            bool computed = graph.TryGetProducer(value, out NodeProto producer);
            if (computed && producer.OpType == "Constant" && OnnxGraph.IsDefaultDomain(producer))
            {
                // A Constant the graph did not index gives its value some other way (value_float,
                // value_ints, sparse_value, ...): say so, rather than call it a computed value.
                string given = producer.Attribute.Count == 0 ? "which has no attribute" : $"which gives its value in attribute '{string.Join("', '", producer.Attribute.Select(a => a.Name))}'";
                throw new FastRnnFormatException($"{where}: input {input} ('{value}') is the output of Constant node '{graph.NameOf(producer)}', {given}; FastRnn reads only a Constant's 'value' tensor attribute (or an initializer).");
            }

            string source = computed
                ? $"is computed by node '{graph.NameOf(producer)}' ({producer.OpType})"
                : "is a graph input";
            throw new FastRnnFormatException($"{where}: input {input} ('{value}') {source}; FastRnn imports weights that are initializers or Constant nodes (export with constant folding).");
        }

        float[] values = OnnxTensors.ReadFloats(tensor, $"{where}: input {input} ('{value}')");

        // Checked here, before the gates are reordered, so the message can name the ONNX input and
        // its flat index; RecurrentNetwork.Create's own check would name the PyTorch tensor instead.
        int bad = Array.FindIndex(values, v => !float.IsFinite(v));
        if (bad >= 0)
        {
            string what = float.IsNaN(values[bad]) ? "NaN" : values[bad] > 0 ? "+Inf" : "-Inf";
            throw new FastRnnFormatException($"{graph.Where}: ONNX input {input} ('{value}') of node '{graph.NameOf(node)}' ({node.OpType}) holds {what} at element {bad}; weights must be finite.");
        }

        return values;
    }

    private static float[]? OptionalWeight(NodeProto node, int index, string input, OnnxGraph graph, string where, int[] shape)
    {
        if (node.Input.Count <= index || node.Input[index].Length == 0)
        {
            return null;
        }

        float[] values = Weight(node, index, input, graph, where, out TensorProto tensor);
        if (tensor.Dims.Count != shape.Length || tensor.Dims[0] != shape[0] || tensor.Dims[1] != shape[1])
        {
            throw new FastRnnFormatException($"{where}: input {input} has shape [{OnnxTensors.Dims(tensor)}]; expected [{string.Join(", ", shape)}].");
        }

        return values;
    }

    // A constant sequence_lens masks the steps past each length, which a network file cannot hold (lengths
    // are an argument of Forward); it is harmless only when every length is X's whole, static, time axis.
    private static void RequireWholeOrInputLengths(NodeProto node, OnnxGraph graph, int timeAxis, string where)
    {
        if (node.Input.Count <= 4 || node.Input[4].Length == 0 || !graph.TryGetConstant(node.Input[4], out TensorProto tensor))
        {
            return;
        }

        long[] lengths = OnnxTensors.ReadIntegers(tensor, $"{where}: input sequence_lens");
        long? steps = graph.StaticDimension(node.Input[0], timeAxis);
        if (steps is long t && Array.TrueForAll(lengths, l => l == t))
        {
            return;
        }

        string shown = lengths.Length <= 8 ? string.Join(", ", lengths) : $"{string.Join(", ", lengths.Take(8))}, ... ({lengths.Length} values)";
        string against = steps is long s
            ? string.Create(CultureInfo.InvariantCulture, $", not X's {s} steps for every sequence")
            : " and X's sequence length is not fixed in the model";
        throw new FastRnnFormatException($"{where}: input sequence_lens is a constant [{shown}]{against}; a FastRnn network file holds weights only (lengths are an argument of Forward), so it would not compute what the model does.");
    }

    // Nodes that copy, slice or broadcast their first input: a state made by them from a constant (a learned
    // h0 expanded to the batch) is as constant as an initializer, and no graph input the caller could pass.
    private static readonly HashSet<string> StateCopyingOperators = new(StringComparer.Ordinal) { "Expand", "Tile", "Slice", "Gather", "Reshape", "Squeeze", "Unsqueeze", "Transpose", "Identity" };

    private static void RequireZeroOrInput(NodeProto node, int index, string input, OnnxGraph graph, string where)
    {
        if (node.Input.Count <= index || node.Input[index].Length == 0)
        {
            return;
        }

        string value = node.Input[index];
        var path = new List<string>();
        TensorProto tensor;
        while (!graph.TryGetConstant(value, out tensor))
        {
            if (!graph.TryGetProducer(value, out NodeProto producer) || !OnnxGraph.IsDefaultDomain(producer) || producer.Input.Count == 0 || path.Count > 16)
            {
                return; // a graph input, or computed from one: a run-time input
            }

            string via = path.Count > 0 ? $" through {string.Join(", ", path)}" : string.Empty;
            if (producer.OpType == "ConstantOfShape")
            {
                // Its 'value' (one element, default 0) fills the whole state.
                AttributeProto? fill = producer.Attribute.FirstOrDefault(a => a.Name == "value");
                float filled = fill?.T is TensorProto one ? OnnxTensors.ReadFloats(one, $"{where}: input {input} (value of ConstantOfShape node '{graph.NameOf(producer)}')").FirstOrDefault() : 0f;
                if (filled != 0f)
                {
                    throw new FastRnnFormatException(string.Create(CultureInfo.InvariantCulture, $"{where}: input {input} is filled with {filled} by ConstantOfShape node '{graph.NameOf(producer)}'{via}: a constant with non-zero values; a FastRnn network file holds weights only (initial states are arguments of Forward), so it would not compute what the model does."));
                }

                return;
            }

            if (!StateCopyingOperators.Contains(producer.OpType))
            {
                return;
            }

            path.Insert(0, $"{producer.OpType} node '{graph.NameOf(producer)}'");
            value = producer.Input[0];
        }

        foreach (float v in OnnxTensors.ReadFloats(tensor, $"{where}: input {input}"))
        {
            if (v != 0f)
            {
                string source = path.Count > 0 ? $" comes from constant '{value}' through {string.Join(", ", path)}, which has" : " is a constant with";
                throw new FastRnnFormatException($"{where}: input {input}{source} non-zero values; a FastRnn network file holds weights only (initial states are arguments of Forward), so it would not compute what the model does.");
            }
        }
    }
}

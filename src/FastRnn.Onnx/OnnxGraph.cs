using System;
using System.Collections.Generic;
using System.Linq;
using FastRnn.Onnx.Model;

namespace FastRnn.Onnx;

/// <summary>
/// A graph indexed by value name: which node produces each value, and which values are constants
/// (initializers, or outputs of <c>Constant</c> nodes).
/// </summary>
internal sealed class OnnxGraph
{
    private readonly Dictionary<string, TensorProto> constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeProto> producers = new(StringComparer.Ordinal);
    private readonly Dictionary<NodeProto, string> nodeNames = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, int> uses = new(StringComparer.Ordinal);

    /// <summary>Indexes <paramref name="graph"/>.</summary>
    /// <param name="graph">The model's main graph.</param>
    /// <param name="where">Name of the model, for messages.</param>
    public OnnxGraph(GraphProto graph, string where)
    {
        Graph = graph;
        Where = where;
        // ONNX requires unique value names; with a duplicate, which tensor the weights came from
        // would depend on indexing order, so the model is refused rather than read either way.
        foreach (TensorProto initializer in graph.Initializer)
        {
            if (!constants.TryAdd(initializer.Name, initializer))
            {
                throw new FastRnnFormatException($"{where}: two initializers are named '{initializer.Name}'; ONNX requires initializer names to be unique.");
            }
        }

        foreach (ValueInfoProto output in graph.Output)
        {
            uses[output.Name] = uses.GetValueOrDefault(output.Name) + 1;
        }

        var constantNodes = new Dictionary<string, string>(StringComparer.Ordinal);

        for (int index = 0; index < graph.Node.Count; index++)
        {
            NodeProto node = graph.Node[index];
            nodeNames[node] = node.Name.Length > 0 ? node.Name : $"{node.OpType}#{index}";
            foreach (string input in node.Input)
            {
                uses[input] = uses.GetValueOrDefault(input) + 1;
            }

            foreach (string output in node.Output)
            {
                if (output.Length > 0)
                {
                    producers[output] = node;
                }
            }

            if (node.OpType == "Constant" && node.Output.Count == 1 && IsDefaultDomain(node))
            {
                foreach (AttributeProto attribute in node.Attribute)
                {
                    if (ConstantValue(attribute) is TensorProto value)
                    {
                        string output = node.Output[0];
                        if (!constants.TryAdd(output, value))
                        {
                            string other = constantNodes.TryGetValue(output, out string? first) ? $"the output of Constant node '{first}'" : "an initializer";
                            throw new FastRnnFormatException($"{where}: value '{output}' is {other} and the output of Constant node '{nodeNames[node]}'; ONNX requires each value name to have one source.");
                        }

                        constantNodes[output] = nodeNames[node];
                    }
                }
            }
        }
    }

    /// <summary>The graph.</summary>
    public GraphProto Graph { get; }

    /// <summary>Name of the model, for messages.</summary>
    public string Where { get; }

    // A Constant's value as a tensor: its 'value' tensor, or the integers of 'value_ints' (a vector)
    // and 'value_int' (a scalar), which graphs use for a Reshape's shape or a Squeeze's axes; unread,
    // a chain of layers linked by such a node would come out as separate networks. Other forms
    // (floats, strings, sparse) are not read: a weight needs a shaped tensor.
    private static TensorProto? ConstantValue(AttributeProto attribute)
    {
        switch (attribute.Name)
        {
            case "value":
                return attribute.T;
            case "value_ints":
            {
                var tensor = new TensorProto { DataType = (int)TensorProto.Types.DataType.Int64 };
                tensor.Dims.Add(attribute.Ints.Count);
                tensor.Int64Data.AddRange(attribute.Ints);
                return tensor;
            }

            case "value_int":
            {
                var tensor = new TensorProto { DataType = (int)TensorProto.Types.DataType.Int64 };
                tensor.Int64Data.Add(attribute.I);
                return tensor;
            }

            default:
                return null;
        }
    }

    /// <summary>Whether a node belongs to the default ONNX operator set (domain "" or "ai.onnx").</summary>
    public static bool IsDefaultDomain(NodeProto node) => node.Domain.Length == 0 || node.Domain == "ai.onnx";

    /// <summary>The node's name, or <c>OpType#index</c> for an unnamed node.</summary>
    public string NameOf(NodeProto node) => nodeNames[node];

    /// <summary>The constant tensor named <paramref name="value"/>, if it is an initializer or a Constant node's output.</summary>
    public bool TryGetConstant(string value, out TensorProto tensor) => constants.TryGetValue(value, out tensor!);

    /// <summary>The fixed size of axis <paramref name="axis"/> of <paramref name="value"/> as the graph's inputs, value_info or outputs declare it, or null when not declared or symbolic.</summary>
    public long? StaticDimension(string value, int axis)
    {
        foreach (ValueInfoProto info in Graph.Input.Concat(Graph.ValueInfo).Concat(Graph.Output))
        {
            if (info.Name == value && info.Type?.TensorType?.Shape is TensorShapeProto shape && axis < shape.Dim.Count && shape.Dim[axis].HasDimValue)
            {
                return shape.Dim[axis].DimValue;
            }
        }

        return null;
    }

    /// <summary>How many times the main graph uses <paramref name="value"/>: as an input of a node (once per input slot) or as a graph output.</summary>
    public int UsesOf(string value) => uses.GetValueOrDefault(value);

    /// <summary>The node that produces <paramref name="value"/>, if any (graph inputs and initializers have none).</summary>
    public bool TryGetProducer(string value, out NodeProto node) => producers.TryGetValue(value, out node!);
}

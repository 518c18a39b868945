using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using FastRnn.Networks;
using FastRnn.Onnx.Model;

namespace FastRnn.Onnx;

/// <summary>
/// Imports the recurrent layers of an ONNX model (<c>LSTM</c>, <c>GRU</c>, <c>RNN</c> nodes with
/// constant weights) as FastRnn networks with PyTorch <c>state_dict</c> names and gate order.
/// A chain of nodes of one kind, each fed by the previous one's output through the reshaping
/// nodes exporters insert, becomes one multi-layer network; every other node a network of its own.
/// Direction <c>reverse</c>, <c>clip</c>, LSTM <c>input_forget = 1</c> and the activations
/// (<c>activations</c>, <c>activation_alpha</c>, <c>activation_beta</c>: every function of the
/// operators) become the <see cref="NetworkDescription.Reverse"/>, <see cref="NetworkDescription.Clip"/>,
/// <see cref="NetworkDescription.CoupledInputForget"/> and <see cref="NetworkDescription.Activations"/>
/// options (all but the first for inference only). What FastRnn cannot compute exactly as ONNX
/// defines it is refused with a <see cref="FastRnnFormatException"/> naming the node and the
/// attribute or input: weights that are not FLOAT constants stored in the file, constant non-zero
/// initial states, and activation parameters that the ONNX specification and ONNX Runtime read
/// differently (see the remarks).
/// </summary>
/// <remarks>
/// The imported network computes ONNX's Y as FastRnn's output [T, B, D*H] (layout 1:
/// [B, T, D*H], which is Y's memory layout); ONNX's Y for layout 0 is [T, D, B, H].
/// <c>sequence_lens</c>, <c>initial_h</c> and <c>initial_c</c> are run-time inputs: pass them
/// to <see cref="RecurrentNetwork.Forward"/> as lengths and initial states ([D, B, H] per layer, also for
/// layout 1, whose initial_h and initial_c are [B, D, H]: transpose them). An initial state made of
/// constants only (an initializer, a non-zero ConstantOfShape, a constant expanded to the batch) is refused
/// unless it is zero.
/// By default an activation parameter left out is refused where ONNX Runtime's value differs from
/// the specification's default (Affine's and ThresholdedRelu's α, ScaledTanh's α and β), and so is
/// an RNN activation not spelled exactly as the specification does (ONNX Runtime refuses it);
/// <see cref="AmbiguousActivations"/> chooses either reading instead.
/// </remarks>
public static class OnnxImporter
{
    /// <summary>Imports the networks of an .onnx file.</summary>
    /// <param name="path">The model file.</param>
    /// <param name="nodeName">Only the network that contains this node (as named in the model; unnamed nodes are <c>OpType#index</c>), or null for all.</param>
    /// <param name="ambiguous">What to do with activations the ONNX specification and ONNX Runtime read differently.</param>
    /// <returns>The networks, in graph order of their first node.</returns>
    /// <exception cref="FastRnnFormatException">The path is a directory or the file is not a valid model, has no (such) recurrent node, or a node cannot be imported exactly.</exception>
    public static IReadOnlyList<ImportedNetwork> Import(string path, string? nodeName = null, AmbiguousActivations ambiguous = AmbiguousActivations.Refuse)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Import(OnnxModelReader.Read(path), path, nodeName, ambiguous);
    }

    /// <summary>Imports the networks of a serialized ONNX model.</summary>
    /// <param name="model">The model's bytes (a protobuf <c>ModelProto</c>).</param>
    /// <param name="nodeName">Only the network that contains this node, or null for all.</param>
    /// <param name="sourceName">Name of the model for messages, or null (messages then say "the stream").</param>
    /// <param name="ambiguous">What to do with activations the ONNX specification and ONNX Runtime read differently.</param>
    /// <returns>The networks, in graph order of their first node.</returns>
    /// <exception cref="FastRnnFormatException">The bytes are not a valid model, it has no (such) recurrent node, or a node cannot be imported exactly.</exception>
    public static IReadOnlyList<ImportedNetwork> Import(Stream model, string? nodeName = null, string? sourceName = null, AmbiguousActivations ambiguous = AmbiguousActivations.Refuse)
    {
        ArgumentNullException.ThrowIfNull(model);
        // Messages start with "<where>: " and often go on to say "the ONNX model"; "the stream" keeps
        // them readable when the caller gives no name.
        string where = sourceName ?? "the stream";
        return Import(OnnxModelReader.Parse(model, where), where, nodeName, ambiguous);
    }

    private static List<ImportedNetwork> Import(ModelProto model, string where, string? nodeName, AmbiguousActivations ambiguous)
    {
        if (!Enum.IsDefined(ambiguous))
        {
            throw new ArgumentOutOfRangeException(nameof(ambiguous), ambiguous, "Not an AmbiguousActivations value.");
        }

        var graph = new OnnxGraph(model.Graph, where);
        var read = new List<RecurrentNode>();
        var failures = new Dictionary<string, FastRnnFormatException>(StringComparer.Ordinal);
        var names = new List<string>();
        foreach (NodeProto node in model.Graph.Node)
        {
            if (RecurrentNodeMapper.For(node) is not RecurrentNodeMapper mapper)
            {
                continue;
            }

            names.Add(graph.NameOf(node));
            try
            {
                read.Add(mapper.Read(node, graph, ambiguous));
            }
            catch (FastRnnFormatException e)
            {
                failures[graph.NameOf(node)] = e;
            }
        }

        if (names.Count == 0)
        {
            throw new FastRnnFormatException($"{where}: the model has no LSTM, GRU or RNN node (of the default ONNX domain).");
        }

        if (nodeName is not null)
        {
            if (failures.TryGetValue(nodeName, out FastRnnFormatException? failure))
            {
                throw failure;
            }

            if (!names.Contains(nodeName))
            {
                throw new FastRnnFormatException($"{where}: no LSTM, GRU or RNN node named '{nodeName}'; the model has: {string.Join(", ", names)}.");
            }
        }
        else if (failures.Count > 0)
        {
            throw failures.Values.First();
        }

        var networks = new List<ImportedNetwork>();
        foreach (List<RecurrentNode> chain in RecurrentChainFinder.Find(read, graph))
        {
            if (nodeName is null || chain.Exists(n => n.Name == nodeName))
            {
                networks.Add(Build(chain, where));
            }
        }

        return networks;
    }

    private static ImportedNetwork Build(List<RecurrentNode> chain, string where)
    {
        RecurrentNode first = chain[0];
        var description = new NetworkDescription(first.Kind, first.InputSize, first.HiddenSize)
        {
            Variant = first.Variant,
            NumLayers = chain.Count,
            Bidirectional = first.Directions == 2,
            Reverse = first.Reverse,
            Clip = first.Clip,
            CoupledInputForget = first.CoupledInputForget,
            Bias = first.B is not null,
            BatchFirst = first.BatchFirst,
        }.WithActivations(first.Activations[0], first.Activations.Length == 2 ? first.Activations[1] : null);
        var parameters = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (int layer = 0; layer < chain.Count; layer++)
        {
            chain[layer].Mapper.AddParameters(chain[layer], layer, parameters);
        }

        string[] nodeNames = [.. chain.Select(n => n.Name)];
        try
        {
            return new ImportedNetwork(nodeNames, RecurrentNetwork.Create(description, parameters));
        }
        catch (ArgumentException e)
        {
            // ArgumentException.Message ends in " (Parameter 'parameters')": Create's argument, not the model's.
            string message = e.ParamName is string name && e.Message.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal)
                ? e.Message[..^$" (Parameter '{name}')".Length]
                : e.Message;
            throw new FastRnnFormatException($"{where}: node(s) {string.Join(", ", nodeNames)}: {message}", e);
        }
    }
}

using System;
using System.Collections.Generic;
using FastRnn.Onnx.Model;

namespace FastRnn.Onnx;

/// <summary>
/// Groups recurrent nodes into networks: a chain of nodes of one kind and configuration, each fed
/// by the previous one's Y through the reshaping nodes exporters insert (see
/// <see cref="InterLayerPath"/>), is one multi-layer network; every other node is a network of its own.
/// </summary>
internal static class RecurrentChainFinder
{
    private static readonly HashSet<string> ReshapingOperators = new(StringComparer.Ordinal) { "Transpose", "Reshape", "Squeeze", "Unsqueeze", "Identity" };

    /// <summary>The networks, as lists of nodes first layer first, in the order of their first node.</summary>
    /// <param name="nodes">The graph's recurrent nodes that were read, in graph order.</param>
    /// <param name="graph">The graph.</param>
    /// <returns>The chains.</returns>
    public static List<List<RecurrentNode>> Find(IReadOnlyList<RecurrentNode> nodes, OnnxGraph graph)
    {
        var byNode = new Dictionary<NodeProto, RecurrentNode>(ReferenceEqualityComparer.Instance);
        foreach (RecurrentNode node in nodes)
        {
            byNode[node.Node] = node;
        }

        var next = new Dictionary<RecurrentNode, RecurrentNode?>();
        var previous = new Dictionary<RecurrentNode, RecurrentNode>();
        foreach (RecurrentNode node in nodes)
        {
            if (Predecessor(node, byNode, graph) is RecurrentNode before)
            {
                // A node whose Y feeds two recurrent nodes starts no chain: neither is its only next layer.
                next[before] = next.ContainsKey(before) ? null : node;
                previous[node] = before;
            }
        }

        var chains = new List<List<RecurrentNode>>();
        foreach (RecurrentNode node in nodes)
        {
            if (previous.TryGetValue(node, out RecurrentNode? before) && next[before] == node)
            {
                continue;
            }

            var chain = new List<RecurrentNode> { node };
            while (next.TryGetValue(chain[^1], out RecurrentNode? after) && after is not null)
            {
                chain.Add(after);
            }

            chains.Add(chain);
        }

        return chains;
    }

    /// <summary>The node whose Y reaches <paramref name="node"/>'s X as the previous layer of one stack, or null.</summary>
    private static RecurrentNode? Predecessor(RecurrentNode node, Dictionary<NodeProto, RecurrentNode> byNode, OnnxGraph graph)
    {
        var path = new List<NodeProto>();
        string value = node.X;
        while (graph.TryGetProducer(value, out NodeProto producer))
        {
            // A multi-layer network computes its last layer's output only: a value between the layers that
            // the graph also uses elsewhere (a residual Add, a graph output) would be lost by merging.
            if (graph.UsesOf(value) != 1)
            {
                return null;
            }

            if (byNode.TryGetValue(producer, out RecurrentNode? before))
            {
                if (before.Y != value || !SameStack(before, node))
                {
                    return null;
                }

                path.Reverse();
                return InterLayerPath.Connects(before, node, path, graph) ? before : null;
            }

            if (!ReshapingOperators.Contains(producer.OpType) || producer.Input.Count == 0 || path.Count > 16)
            {
                return null;
            }

            path.Add(producer);
            value = producer.Input[0];
        }

        return null;
    }

    /// <summary>Whether <paramref name="upper"/> can be the layer above <paramref name="lower"/> in one FastRnn network.</summary>
    private static bool SameStack(RecurrentNode lower, RecurrentNode upper) =>
        lower.Mapper == upper.Mapper
        && lower.Kind == upper.Kind
        && lower.Variant == upper.Variant
        && lower.Directions == upper.Directions
        && lower.Reverse == upper.Reverse
        && lower.Clip == upper.Clip
        && lower.Activations.AsSpan().SequenceEqual(upper.Activations)
        && lower.CoupledInputForget == upper.CoupledInputForget
        && lower.HiddenSize == upper.HiddenSize
        && lower.BatchFirst == upper.BatchFirst
        && (lower.B is null) == (upper.B is null)
        && string.Equals(lower.SequenceLens, upper.SequenceLens, StringComparison.Ordinal)
        && upper.InputSize == lower.Directions * lower.HiddenSize;
}

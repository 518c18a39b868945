using System;
using System.Collections.Generic;
using System.Linq;
using FastRnn.Onnx.Model;

namespace FastRnn.Onnx;

/// <summary>
/// Decides whether a path of reshaping nodes (Transpose, Reshape, Squeeze, Unsqueeze, Identity)
/// turns one recurrent node's output Y into exactly the input X the next layer of a PyTorch-style
/// stack would get: Y [T, D, B, H] (layout 1: [B, T, D, H]) into X [T, B, D*H] (layout 1:
/// [B, T, D*H]), directions side by side, forward first. It tracks which of T, B, D, H each axis
/// holds, symbolically, so it needs no concrete T or B, and it rejects any step it cannot follow.
/// </summary>
internal static class InterLayerPath
{
    private enum Factor
    {
        Steps,
        Batch,
        Directions,
        Hidden,
    }

    /// <summary>Whether <paramref name="path"/> (first node consumes Y) carries <paramref name="from"/>'s Y to <paramref name="to"/>'s X unchanged in meaning.</summary>
    public static bool Connects(RecurrentNode from, RecurrentNode to, IReadOnlyList<NodeProto> path, OnnxGraph graph)
    {
        List<Factor> directions = from.Directions == 2 ? [Factor.Directions] : [];
        var axes = from.BatchFirst
            ? new List<List<Factor>> { new() { Factor.Batch }, new() { Factor.Steps }, directions, new() { Factor.Hidden } }
            : new List<List<Factor>> { new() { Factor.Steps }, directions, new() { Factor.Batch }, new() { Factor.Hidden } };
        var sizes = new Dictionary<Factor, long> { [Factor.Directions] = from.Directions, [Factor.Hidden] = from.HiddenSize };
        foreach (NodeProto node in path)
        {
            List<List<Factor>>? next = Apply(node, axes, sizes, graph);
            if (next is null)
            {
                return false;
            }

            axes = next;
        }

        List<Factor> features = from.Directions == 2 ? [Factor.Directions, Factor.Hidden] : [Factor.Hidden];
        List<Factor>[] expected = to.BatchFirst
            ? [[Factor.Batch], [Factor.Steps], features]
            : [[Factor.Steps], [Factor.Batch], features];
        return axes.Count == 3 && axes.Zip(expected).All(pair => pair.First.SequenceEqual(pair.Second));
    }

    private static List<List<Factor>>? Apply(NodeProto node, List<List<Factor>> axes, Dictionary<Factor, long> sizes, OnnxGraph graph)
    {
        if (!OnnxGraph.IsDefaultDomain(node))
        {
            return null;
        }

        switch (node.OpType)
        {
            case "Identity":
                return axes;
            case "Transpose":
                long[] perm = IntegersAttribute(node, "perm") ?? [.. Enumerable.Range(0, axes.Count).Reverse().Select(i => (long)i)];
                return perm.Length == axes.Count && perm.Order().SequenceEqual(Enumerable.Range(0, axes.Count).Select(i => (long)i))
                    ? [.. perm.Select(p => axes[(int)p])]
                    : null;
            case "Squeeze":
                return Normalize(RawAxes(node, graph), axes.Count) is long[] squeezed && squeezed.All(a => axes[(int)a].Count == 0)
                    ? [.. axes.Where((_, i) => !squeezed.Contains(i))]
                    : null;
            case "Unsqueeze":
                long[]? raw = RawAxes(node, graph);
                return Normalize(raw, axes.Count + (raw?.Length ?? 0)) is long[] added ? Unsqueeze(axes, added) : null;
            case "Reshape":
                return Reshape(node, axes, sizes, graph);
            default:
                return null;
        }
    }

    private static List<List<Factor>> Unsqueeze(List<List<Factor>> axes, long[] added)
    {
        var result = new List<List<Factor>>(axes);
        foreach (long a in added.Order())
        {
            result.Insert((int)a, []);
        }

        return result;
    }

    private static List<List<Factor>>? Reshape(NodeProto node, List<List<Factor>> axes, Dictionary<Factor, long> sizes, OnnxGraph graph)
    {
        if (node.Input.Count < 2 || !graph.TryGetConstant(node.Input[1], out TensorProto shapeTensor) || IntegerAttribute(node, "allowzero") is not (null or 0))
        {
            return null;
        }

        long[] shape = OnnxTensors.ReadIntegers(shapeTensor, $"{graph.Where}: shape ('{node.Input[1]}') of node '{graph.NameOf(node)}'");
        var flat = axes.SelectMany(a => a).ToList();
        int inferred = Array.IndexOf(shape, -1L);
        if (shape.Count(s => s == -1) > 1 || shape.Any(s => s < -1))
        {
            return null;
        }

        var result = new List<Factor>[shape.Length];
        int front = 0;
        for (int i = 0; i < (inferred < 0 ? shape.Length : inferred); i++)
        {
            if (Take(shape[i], i, axes, flat, sizes, ref front, fromBack: false) is not List<Factor> taken)
            {
                return null;
            }

            result[i] = taken;
        }

        if (inferred >= 0)
        {
            int back = flat.Count;
            for (int i = shape.Length - 1; i > inferred; i--)
            {
                if (Take(shape[i], i, axes, flat, sizes, ref back, fromBack: true) is not List<Factor> taken)
                {
                    return null;
                }

                result[i] = taken;
            }

            if (back < front)
            {
                return null;
            }

            result[inferred] = flat.GetRange(front, back - front);
            front = back;
        }

        return front == flat.Count ? [.. result] : null;
    }

    /// <summary>The factors of one reshaped dimension: 0 copies input axis <paramref name="index"/>, k &gt; 0 takes known factors whose sizes multiply to k.</summary>
    private static List<Factor>? Take(long dim, int index, List<List<Factor>> axes, List<Factor> flat, Dictionary<Factor, long> sizes, ref int at, bool fromBack)
    {
        if (dim == 0)
        {
            if (index >= axes.Count)
            {
                return null;
            }

            List<Factor> copy = axes[index];
            int start = fromBack ? at - copy.Count : at;
            if (start < 0 || start + copy.Count > flat.Count || !flat.GetRange(start, copy.Count).SequenceEqual(copy))
            {
                return null;
            }

            at = fromBack ? start : start + copy.Count;
            return copy;
        }

        var taken = new List<Factor>();
        long product = 1;
        while (product < dim)
        {
            int position = fromBack ? at - 1 : at;
            if (position < 0 || position >= flat.Count || !sizes.TryGetValue(flat[position], out long size))
            {
                return null;
            }

            product *= size;
            if (fromBack)
            {
                taken.Insert(0, flat[position]);
                at--;
            }
            else
            {
                taken.Add(flat[position]);
                at++;
            }
        }

        return product == dim ? taken : null;
    }

    /// <summary>Squeeze/Unsqueeze axes, from the attribute (opset &lt; 13) or the constant second input; null if neither.</summary>
    private static long[]? RawAxes(NodeProto node, OnnxGraph graph)
    {
        long[]? axes = IntegersAttribute(node, "axes");
        if (axes is null && node.Input.Count > 1 && graph.TryGetConstant(node.Input[1], out TensorProto tensor))
        {
            axes = OnnxTensors.ReadIntegers(tensor, $"{graph.Where}: axes ('{node.Input[1]}') of node '{graph.NameOf(node)}'");
        }

        return axes;
    }

    /// <summary>Axes made non-negative for <paramref name="rank"/>; null if absent, empty, out of range or repeated.</summary>
    private static long[]? Normalize(long[]? axes, int rank)
    {
        if (axes is not { Length: > 0 })
        {
            return null;
        }

        long[] normalized = [.. axes.Select(a => a < 0 ? a + rank : a)];
        return normalized.All(a => a >= 0 && a < rank) && normalized.Distinct().Count() == normalized.Length ? normalized : null;
    }

    private static long[]? IntegersAttribute(NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is AttributeProto a ? [.. a.Ints] : null;

    private static long? IntegerAttribute(NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is AttributeProto a ? a.I : null;
}

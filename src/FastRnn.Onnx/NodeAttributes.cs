using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using FastRnn.Onnx.Model;

namespace FastRnn.Onnx;

/// <summary>The attributes of one node, checked against the names its operator defines.</summary>
internal sealed class NodeAttributes
{
    private readonly Dictionary<string, AttributeProto> byName = new(StringComparer.Ordinal);
    private readonly string where;

    /// <summary>Indexes the node's attributes; any name outside <paramref name="known"/> is an error naming it.</summary>
    /// <param name="node">The node.</param>
    /// <param name="known">The attribute names the operator defines.</param>
    /// <param name="where">"model: node 'name' (LSTM)", for messages.</param>
    public NodeAttributes(NodeProto node, IReadOnlyCollection<string> known, string where)
    {
        this.where = where;
        foreach (AttributeProto attribute in node.Attribute)
        {
            bool isKnown = false;
            foreach (string name in known)
            {
                isKnown |= name == attribute.Name;
            }

            if (!isKnown)
            {
                throw new FastRnnFormatException($"{where}: unknown attribute '{attribute.Name}'; the operator defines {string.Join(", ", known)}.");
            }

            if (attribute.RefAttrName.Length > 0)
            {
                throw new FastRnnFormatException($"{where}: attribute '{attribute.Name}' refers to a function attribute ('{attribute.RefAttrName}'); only the main graph's nodes are imported.");
            }

            byName[attribute.Name] = attribute;
        }
    }

    /// <summary>An INT attribute, or <paramref name="fallback"/> when absent.</summary>
    public long Integer(string name, long fallback) =>
        !byName.TryGetValue(name, out AttributeProto? a) ? fallback
        : a.Type is AttributeProto.Types.AttributeType.Int or AttributeProto.Types.AttributeType.Undefined ? a.I
        : throw WrongType(a, "INT");

    /// <summary>A STRING attribute, or <paramref name="fallback"/> when absent.</summary>
    public string Text(string name, string fallback) =>
        !byName.TryGetValue(name, out AttributeProto? a) ? fallback
        : a.Type is AttributeProto.Types.AttributeType.String or AttributeProto.Types.AttributeType.Undefined ? Encoding.UTF8.GetString(a.S.Span)
        : throw WrongType(a, "STRING");

    /// <summary>A STRINGS attribute, or null when absent.</summary>
    public IReadOnlyList<string>? Texts(string name)
    {
        if (!byName.TryGetValue(name, out AttributeProto? a))
        {
            return null;
        }

        if (a.Type is not (AttributeProto.Types.AttributeType.Strings or AttributeProto.Types.AttributeType.Undefined))
        {
            throw WrongType(a, "STRINGS");
        }

        var list = new List<string>(a.Strings.Count);
        foreach (Google.Protobuf.ByteString s in a.Strings)
        {
            list.Add(Encoding.UTF8.GetString(s.Span));
        }

        return list;
    }

    /// <summary>A FLOAT attribute's value, or null when absent.</summary>
    public float? Real(string name) =>
        !byName.TryGetValue(name, out AttributeProto? a) ? null
        : a.Type is AttributeProto.Types.AttributeType.Float or AttributeProto.Types.AttributeType.Undefined ? a.F
        : throw WrongType(a, "FLOAT");

    /// <summary>A FLOATS attribute's values, or null when absent.</summary>
    public IReadOnlyList<float>? Reals(string name) =>
        !byName.TryGetValue(name, out AttributeProto? a) ? null
        : a.Type is AttributeProto.Types.AttributeType.Floats or AttributeProto.Types.AttributeType.Undefined ? a.Floats
        : throw WrongType(a, "FLOATS");

    private FastRnnFormatException WrongType(AttributeProto a, string expected) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{where}: attribute '{a.Name}' has type {a.Type.ToString().ToUpperInvariant()}; the operator defines it as {expected}."));
}

using System;
using System.Collections.Generic;
using System.Text;

namespace FastRnn.IO;

/// <summary>Tensor names for error messages: the first few quoted, then how many more, so a message stays readable for any file.</summary>
internal static class NameList
{
    // A hostile file may name a tensor with megabytes of text; messages quote this much of a name.
    private const int MaxQuotedLength = 120;

    /// <summary>The name, or its first characters and an ellipsis when it is too long to quote whole.</summary>
    public static string Shorten(string name) =>
        name.Length <= MaxQuotedLength ? name : string.Concat(name.AsSpan(0, MaxQuotedLength), "…");

    /// <summary>An entry for a message, e.g. <c>rnn.weight_hh_l0 F32 [128, 32]</c>, with a long name or shape shortened.</summary>
    public static string Describe(SafeTensorsEntry entry) =>
        $"{Shorten(entry.Name)} {entry.DType.ToHeaderName()} {(entry.Shape.Count <= 8 ? SafeTensorsErrors.FormatShape(entry.Shape) : $"[{entry.Shape.Count} dimensions]")}";

    /// <summary>Formats e.g. <c>'a', 'b', 'c' and 7 more</c>; empty for no names.</summary>
    public static string Format(IReadOnlyList<string> names)
    {
        var builder = new StringBuilder();
        int shown = Math.Min(names.Count, SafeTensorsLimits.MaxNamesInMessage);
        for (int i = 0; i < shown; i++)
        {
            builder.Append(i == 0 ? "'" : ", '").Append(Shorten(names[i])).Append('\'');
        }

        if (shown < names.Count)
        {
            builder.Append(" and ").Append(names.Count - shown).Append(" more");
        }

        return builder.ToString();
    }
}

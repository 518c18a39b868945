using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace FastRnn.IO;

/// <summary>Builds <see cref="FastRnnFormatException"/>s whose messages always say which file is bad.</summary>
internal static class SafeTensorsErrors
{
    public static FastRnnFormatException Create(string? sourceName, string detail, Exception? inner = null)
    {
        string message = sourceName is null
            ? $"Invalid safetensors data: {detail}"
            : $"Invalid safetensors file '{sourceName}': {detail}";
        return new FastRnnFormatException(message, inner);
    }

    /// <summary>Formats a shape the way the header spells it, e.g. <c>[4, 1]</c>.</summary>
    public static string FormatShape(IReadOnlyList<int> shape)
    {
        var builder = new StringBuilder("[");
        for (int i = 0; i < shape.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            builder.Append(shape[i].ToString(CultureInfo.InvariantCulture));
        }

        return builder.Append(']').ToString();
    }
}

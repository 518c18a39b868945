using System;
using System.Collections.Generic;
using System.Text;

namespace FastRnn.IO;

/// <summary>Tensor names for error messages: the first few quoted, then how many more, so a message stays readable for any file.</summary>
internal static class NameList
{
    /// <summary>Formats e.g. <c>'a', 'b', 'c' and 7 more</c>; empty for no names.</summary>
    public static string Format(IReadOnlyList<string> names)
    {
        var builder = new StringBuilder();
        int shown = Math.Min(names.Count, SafeTensorsLimits.MaxNamesInMessage);
        for (int i = 0; i < shown; i++)
        {
            builder.Append(i == 0 ? "'" : ", '").Append(names[i]).Append('\'');
        }

        if (shown < names.Count)
        {
            builder.Append(" and ").Append(names.Count - shown).Append(" more");
        }

        return builder.ToString();
    }
}

using System;
using System.Collections.Generic;

namespace FastRnn.IO;

/// <summary>
/// A module file's tensors split by prefix: the recurrent layer's and the head's (by the name after
/// the prefix), and the rest. A name under both prefixes (one nested in the other, e.g.
/// <c>encoder.</c> and <c>encoder.proj.</c>) belongs to the longer one.
/// </summary>
internal sealed class ModuleTensors
{
    /// <summary>The cut that names a recurrent layer's prefix: PyTorch calls its first parameter this.</summary>
    public const string RecurrentMarker = "weight_ih_l0";

    private ModuleTensors(Dictionary<string, SafeTensorsEntry> recurrent, Dictionary<string, SafeTensorsEntry> head, List<string> others)
    {
        Recurrent = recurrent;
        Head = head;
        Others = others;
    }

    /// <summary>The recurrent layer's tensors by local name (e.g. <c>weight_ih_l0</c>).</summary>
    public Dictionary<string, SafeTensorsEntry> Recurrent { get; }

    /// <summary>The head's tensors by local name (<c>weight</c>, <c>bias</c>).</summary>
    public Dictionary<string, SafeTensorsEntry> Head { get; }

    /// <summary>Full names of the tensors under neither prefix, in file order.</summary>
    public List<string> Others { get; }

    public static ModuleTensors Split(SafeTensorsFile file, string rnnPrefix, string? headPrefix)
    {
        var recurrent = new Dictionary<string, SafeTensorsEntry>(StringComparer.Ordinal);
        var head = new Dictionary<string, SafeTensorsEntry>(StringComparer.Ordinal);
        var others = new List<string>();
        foreach (SafeTensorsEntry entry in file.Tensors)
        {
            bool inRnn = entry.Name.StartsWith(rnnPrefix, StringComparison.Ordinal);
            bool inHead = headPrefix is not null && entry.Name.StartsWith(headPrefix, StringComparison.Ordinal);
            if (inHead && (!inRnn || headPrefix!.Length > rnnPrefix.Length))
            {
                head.Add(entry.Name[headPrefix!.Length..], entry);
            }
            else if (inRnn)
            {
                recurrent.Add(entry.Name[rnnPrefix.Length..], entry);
            }
            else
            {
                others.Add(entry.Name);
            }
        }

        return new ModuleTensors(recurrent, head, others);
    }

    /// <summary>The prefixes of the tensors whose names end in <paramref name="marker"/> (and pass <paramref name="accept"/>), e.g. <c>'rnn.', 'encoder.lstm.'</c>.</summary>
    public static string DescribePrefixes(SafeTensorsFile file, string marker, Func<SafeTensorsEntry, bool> accept)
    {
        var prefixes = new List<string>();
        foreach (SafeTensorsEntry entry in file.Tensors)
        {
            if (entry.Name.EndsWith(marker, StringComparison.Ordinal) && accept(entry))
            {
                prefixes.Add(entry.Name[..^marker.Length]);
            }
        }

        return prefixes.Count == 0 ? "none" : NameList.Format(prefixes);
    }

    /// <summary>The full names of a part's tensors, for messages.</summary>
    public static string DescribeNames(Dictionary<string, SafeTensorsEntry> part)
    {
        var names = new List<string>(part.Count);
        foreach (SafeTensorsEntry entry in part.Values)
        {
            names.Add(NameList.Describe(entry));
        }

        return NameList.Format(names);
    }
}

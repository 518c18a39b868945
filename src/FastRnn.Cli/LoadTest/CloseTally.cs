using System.Collections.Generic;

namespace FastRnn.Cli.LoadTest;

/// <summary>How the streams ended, counted by <see cref="LoadStream.EndKey"/>, with the first few distinct reasons for the report.</summary>
internal sealed class CloseTally
{
    private const int ReasonsKept = 5;

    private readonly object gate = new();
    private readonly SortedDictionary<string, int> counts = new(System.StringComparer.Ordinal);
    private readonly List<string> reasons = [];

    /// <summary>Streams by what ended them.</summary>
    public IReadOnlyDictionary<string, int> Counts => counts;

    /// <summary>Up to five distinct "key: reason" lines, in the order seen.</summary>
    public IReadOnlyList<string> FirstReasons => reasons;

    /// <summary>Streams that ended before the test closed them.</summary>
    public int EndedEarly { get; private set; }

    /// <summary>Counts how <paramref name="stream"/> ended, if it says, for each of the <paramref name="streams"/> streams it carries.</summary>
    public void Add(LoadStream stream, int streams)
    {
        if (stream.EndKey is string key)
        {
            Add(key, stream.EndReason, stream.EndedEarly, streams);
        }
    }

    /// <summary>Counts <paramref name="streams"/> streams that ended by <paramref name="key"/>.</summary>
    public void Add(string key, string? reason, bool early, int streams)
    {
        lock (gate)
        {
            counts[key] = counts.GetValueOrDefault(key) + streams;
            EndedEarly += early ? streams : 0;
            string line = string.IsNullOrEmpty(reason) ? key : $"{key}: {reason}";
            if (early && reasons.Count < ReasonsKept && !reasons.Contains(line))
            {
                reasons.Add(line);
            }
        }
    }
}

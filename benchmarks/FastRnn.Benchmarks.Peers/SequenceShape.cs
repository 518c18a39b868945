using System;
using System.Globalization;

namespace FastRnn.Benchmarks.Peers;

/// <summary>One sequence case: batch, hidden size (= input size) and threads per library.</summary>
/// <param name="Batch">Sequences per call.</param>
/// <param name="Hidden">H = I.</param>
/// <param name="Threads">Threads every library may use for the call.</param>
public sealed record SequenceShape(int Batch, int Hidden, int Threads)
{
    /// <summary>The case as the benchmark parameter writes it: "B=64 H=256 threads=2".</summary>
    public override string ToString() => $"B={Batch} H={Hidden} threads={Threads}";

    /// <summary>Reads <see cref="ToString"/>'s form.</summary>
    public static SequenceShape Parse(string text)
    {
        string[] parts = text.Split(' ');
        if (parts.Length != 3)
        {
            throw new FormatException($"Expected a sequence shape like 'B=64 H=256 threads=2', got '{text}'.");
        }

        return new SequenceShape(Value(parts[0], "B"), Value(parts[1], "H"), Value(parts[2], "threads"));
    }

    private static int Value(string part, string name) =>
        part.StartsWith(name + "=", StringComparison.Ordinal) && int.TryParse(part.AsSpan(name.Length + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
            ? v
            : throw new FormatException($"Expected {name}=<integer> in a sequence shape, got '{part}'.");
}

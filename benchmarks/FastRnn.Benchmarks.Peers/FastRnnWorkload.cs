using System;
using System.Globalization;
using FastRnn.Networks;

namespace FastRnn.Benchmarks.Peers;

/// <summary>What a FastRnn-only case runs (see <see cref="IsaPathBenchmarks"/>).</summary>
public enum WorkloadKind
{
    /// <summary>One streaming step, batch 1.</summary>
    Step,

    /// <summary>A sequence of <see cref="SequencePeerBenchmarks.Steps"/> steps.</summary>
    Seq,

    /// <summary>Forward and backward of <see cref="TrainingPeerBenchmarks.Steps"/> steps.</summary>
    Train,
}

/// <summary>
/// A FastRnn workload of the peer suite, named as the report names it ("step Lstm B1 H64"): at most 20
/// characters, the longest parameter value BenchmarkDotNet writes into its reports without shortening it.
/// </summary>
/// <param name="Kind">Step, sequence or training step.</param>
/// <param name="Cell">Cell kind.</param>
/// <param name="Batch">Rows per call.</param>
/// <param name="Hidden">H = I.</param>
public sealed record FastRnnWorkload(WorkloadKind Kind, CellKind Cell, int Batch, int Hidden)
{
    /// <summary>The workload as the benchmark parameter writes it: "step Lstm B1 H64".</summary>
    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()} {Cell} B{Batch} H{Hidden}";

    /// <summary>Reads <see cref="ToString"/>'s form.</summary>
    public static FastRnnWorkload Parse(string text)
    {
        string[] parts = text.Split(' ');
        if (parts.Length != 4
            || !Enum.TryParse(parts[0], ignoreCase: true, out WorkloadKind kind)
            || !Enum.TryParse(parts[1], out CellKind cell)
            || !parts[2].StartsWith('B') || !int.TryParse(parts[2].AsSpan(1), NumberStyles.Integer, CultureInfo.InvariantCulture, out int batch)
            || !parts[3].StartsWith('H') || !int.TryParse(parts[3].AsSpan(1), NumberStyles.Integer, CultureInfo.InvariantCulture, out int hidden))
        {
            throw new FormatException($"Expected a workload like 'step Lstm B1 H64', got '{text}' (BenchmarkDotNet shortens values over 20 characters).");
        }

        return new FastRnnWorkload(kind, cell, batch, hidden);
    }
}

using System.Collections.Generic;
using System.Linq;

namespace FastRnn.Benchmarks.Peers.Report;

/// <summary>A peer's mean time for one workload (null: no result, the case failed or the peer did not load).</summary>
internal sealed record PeerTime(string Name, double? Ns);

/// <summary>One target of the performance issue, checked against one workload's figures.</summary>
/// <param name="Workload">The workload it applies to.</param>
/// <param name="Target">The target in words ("≥ 3× faster than the best peer").</param>
/// <param name="Measured">The measured figure ("3.4×").</param>
/// <param name="Met">Whether it holds; null when a figure is missing.</param>
internal sealed record TargetCheck(string Workload, string Target, string Measured, bool? Met);

/// <summary>FastRnn and every peer on one workload, with the bound of this run.</summary>
internal sealed class WorkloadResult
{
    public required string Group { get; init; }

    public required string Label { get; init; }

    public required double? FastRnnNs { get; init; }

    public required bool FastRnnAllocatesNothing { get; init; }

    public required IReadOnlyList<PeerTime> Peers { get; init; }

    /// <summary>The bound in ns (null when a limit was not measured).</summary>
    public double? BoundNs { get; init; }

    /// <summary>How the bound was computed ("128 KiB from L2 at 110 GB/s").</summary>
    public string BoundNote { get; init; } = string.Empty;

    /// <summary>The fastest peer with a result, or null when none has one.</summary>
    public PeerTime? BestPeer => Peers.Where(p => p.Ns is not null).OrderBy(p => p.Ns).FirstOrDefault();

    /// <summary>FastRnn's time ÷ the best peer's (below 1: FastRnn is faster).</summary>
    public double? RatioToBestPeer => FastRnnNs is double f && BestPeer?.Ns is double p ? f / p : null;

    /// <summary>FastRnn's time ÷ the bound (1: at the limit of this core).</summary>
    public double? RatioToBound => FastRnnNs is double f && BoundNs is double b ? f / b : null;
}

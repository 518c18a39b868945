using System;
using System.Collections.Generic;
using FastRnn.Kernels;
using FastRnn.Training;

namespace FastRnn.Cli.Tasks;

/// <summary>What a task's training produced: losses per epoch, its metric, and what to save.</summary>
internal sealed record TaskResult
{
    public required string Task { get; init; }

    public required string Cell { get; init; }

    public required TrainingSummary Summary { get; init; }

    /// <summary>The task's own measure, e.g. "accuracy 0.98" or "MSE 1.2e-4 (trivial 8.3e-4)".</summary>
    public required string Metric { get; init; }

    /// <summary>The number behind <see cref="Metric"/>, for tests.</summary>
    public required double MetricValue { get; init; }

    /// <summary>Name of the raw held-out measure <see cref="MetricWith"/> returns (e.g. "accuracy").</summary>
    public required string RawMetricName { get; init; }

    /// <summary>Re-measures the raw held-out metric with the trained weights stored in a format (float32, bfloat16, int8).</summary>
    public required Func<WeightFormat, double> MetricWith { get; init; }

    /// <summary>Extra lines to show (e.g. a generated sample).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    public required IReadOnlyList<Parameter> Parameters { get; init; }

    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
}

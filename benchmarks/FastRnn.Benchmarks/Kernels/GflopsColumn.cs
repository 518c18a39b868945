using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace FastRnn.Benchmarks.Kernels;

/// <summary>GFLOP/s of a benchmark: <see cref="KernelFlops"/> per operation divided by the mean time.</summary>
internal sealed class GflopsColumn : IColumn
{
    public static readonly GflopsColumn Instance = new();

    public string Id => nameof(GflopsColumn);

    public string ColumnName => "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Billions of floating-point operations per second (2 per multiply-add) from the mean time";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? flops = KernelFlops.PerOperation(
            benchmarkCase.Descriptor.Type.Name,
            name => benchmarkCase.Parameters.Items is var items && FindParameter(items, name) is { } value
                ? System.Convert.ToString(value, CultureInfo.InvariantCulture)
                : null,
            IsaJobs.PathOf(benchmarkCase.Job.Id));
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return flops is null ? "-" : meanNs is null or <= 0 ? "NA" : (flops.Value / meanNs.Value).ToString("0.00", CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;

    private static object? FindParameter(System.Collections.Generic.IReadOnlyList<BenchmarkDotNet.Parameters.ParameterInstance> items, string name)
    {
        foreach (var item in items)
        {
            if (item.Name == name)
            {
                return item.Value;
            }
        }

        return null;
    }
}

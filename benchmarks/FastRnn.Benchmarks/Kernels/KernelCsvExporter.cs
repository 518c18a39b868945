using BenchmarkDotNet.Exporters.Csv;

namespace FastRnn.Benchmarks.Kernels;

/// <summary>
/// The CSV the report reads: <see cref="KernelConfig.CsvStyle"/> (ns, bytes, units in the header,
/// invariant numbers) in its own file, "*-report-kernels.csv", so it never competes with the
/// default config's CSV export for the same file name.
/// </summary>
internal sealed class KernelCsvExporter : CsvExporter
{
    public const string Suffix = "-report-kernels.csv";

    public static readonly KernelCsvExporter Instance = new();

    private KernelCsvExporter()
        : base(CsvSeparator.Comma, KernelConfig.CsvStyle)
    {
    }

    protected override string FileCaption => "report-kernels";
}

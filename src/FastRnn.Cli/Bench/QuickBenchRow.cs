namespace FastRnn.Cli.Bench;

/// <summary>One measurement of <c>fastrnn bench</c>.</summary>
/// <param name="Case">What ran, e.g. "streaming step LSTM".</param>
/// <param name="Shape">Its sizes, e.g. "I=H=256, batch 1".</param>
/// <param name="Path">The ISA path it ran on.</param>
/// <param name="Microseconds">Median time of one call.</param>
/// <param name="Flops">Floating-point operations of one call (2 per multiply-add of the matrix products).</param>
internal sealed record QuickBenchRow(string Case, string Shape, string Path, double Microseconds, double Flops)
{
    /// <summary>GFLOP/s of the matrix products.</summary>
    public double Gflops => Flops / (Microseconds * 1e3);
}

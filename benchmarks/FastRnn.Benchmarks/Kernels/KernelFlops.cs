using System;
using FastRnn.Kernels;

namespace FastRnn.Benchmarks.Kernels;

/// <summary>
/// Floating-point operations per benchmark operation (one call, or one of
/// <c>OperationsPerInvoke</c>), shared by the GFLOP/s column and the report generator so both
/// divide by the same count. A multiply-add counts as two flops, fused or not.
/// </summary>
internal static class KernelFlops
{
    /// <summary>Flops of one operation, or null for benchmarks that are not counted in flops.</summary>
    /// <param name="type">The benchmark class name (without namespace).</param>
    /// <param name="parameter">Looks up a [Params] value by name as an invariant string (null if absent).</param>
    /// <param name="path">The ISA path of the job (needed where the width sets the work).</param>
    public static double? PerOperation(string type, Func<string, string?> parameter, SimdPath? path)
    {
        switch (type)
        {
            case nameof(GemvBenchmarks):
                return Product(parameter, batch: 1);
            case nameof(GemmBenchmarks):
                return Product(parameter, batch: Int(parameter, nameof(GemmBenchmarks.Batch)));
            case nameof(WeightGradientBenchmarks):
                // dW [4H, H] += δᵀ X over K rows.
                return Int(parameter, nameof(WeightGradientBenchmarks.K)) is int k && Int(parameter, nameof(WeightGradientBenchmarks.H)) is int h
                    ? 2.0 * 4 * h * h * k
                    : null;
            case nameof(FmaPeakBenchmark):
                // One operation is one vector multiply-add: 2 flops per lane.
                return path is { } p ? 2.0 * Isa.WidthOf(p) : null;
            default:
                return null;
        }
    }

    // y[b, :] += W x[b, :] for W = [Gates * N, N]: 2 * rows * columns per batch row.
    private static double? Product(Func<string, string?> parameter, int? batch)
    {
        int? n = Int(parameter, nameof(GemvBenchmarks.N));
        int? gates = Int(parameter, nameof(GemvBenchmarks.Gates));
        return n is null || gates is null || batch is null ? null : 2.0 * gates.Value * n.Value * n.Value * batch.Value;
    }

    private static int? Int(Func<string, string?> parameter, string name) =>
        int.TryParse(parameter(name), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int value) ? value : null;
}

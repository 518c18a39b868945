using System;
using FastRnn.Kernels;

namespace FastRnn.Diagnostics;

/// <summary>
/// The packed matrix-vector product of one recurrent step (y += W·x at batch 1, on weights packed
/// once as a network packs them), alone, so a benchmark can time the kernel apart from the cells:
/// it is what <c>fastrnn bench</c> reports as "GEMV (packed)". The kernels stay internal; this
/// exposes only packing once and running the product.
/// </summary>
/// <remarks>Not thread-safe: the output buffer is the probe's own, so use one probe per thread.</remarks>
public sealed class PackedGemvProbe
{
    private readonly PackedMatrix weights;
    private readonly float[] output;

    /// <summary>Packs the weights for the active ISA path.</summary>
    /// <param name="weights">[gates * units, columns], row-major (PyTorch layout).</param>
    /// <param name="gates">Gate blocks in the rows: 1 to 4.</param>
    /// <param name="units">Units per gate (at least 1).</param>
    /// <param name="columns">Input features (at least 1).</param>
    public PackedGemvProbe(ReadOnlySpan<float> weights, int gates, int units, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(gates, 4);
        this.weights = PackedMatrix.Pack(weights, gates, units, columns);
        output = new float[this.weights.PaddedRows];
    }

    /// <summary>Input features of the product.</summary>
    public int Columns => weights.Columns;

    /// <summary>
    /// The sums so far in packed row order: for one gate the units in order, then zero padding to a
    /// whole vector; for several, per block of one vector of units, the gates side by side.
    /// </summary>
    public ReadOnlySpan<float> Output => output;

    /// <summary>Adds W·<paramref name="input"/> to the probe's own output buffer (in packed row order); allocates nothing.</summary>
    /// <param name="input">[columns].</param>
    public void MultiplyAdd(ReadOnlySpan<float> input)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(input.Length, weights.Columns, nameof(input));
        PackedMatMul.MultiplyAdd(weights, input, weights.Columns, 1, output, weights.PaddedRows);
    }
}

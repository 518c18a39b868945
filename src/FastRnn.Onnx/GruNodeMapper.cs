using System.Globalization;
using FastRnn.Networks;

namespace FastRnn.Onnx;

/// <summary>
/// ONNX <c>GRU</c>: gate blocks z, r, h (PyTorch: r, z, n). <c>linear_before_reset = 1</c>
/// (h = g(W_h x + Wb_h + r ⊙ (R_h h + Rb_h))) is PyTorch's form; 0, the default
/// (h = g(W_h x + (r ⊙ h) R_h + Rb_h + Wb_h)), is FastRnn's reset-before variant.
/// </summary>
internal sealed class GruNodeMapper : RecurrentNodeMapper
{
    /// <summary>The one instance.</summary>
    public static readonly GruNodeMapper Instance = new();

    private GruNodeMapper()
    {
    }

    /// <inheritdoc/>
    public override string OperatorType => "GRU";

    /// <inheritdoc/>
    protected override int GateCount => 3;

    /// <inheritdoc/>
    protected override int[] OnnxBlockOfPyTorchGate { get; } = [1, 0, 2];

    /// <inheritdoc/>
    protected override string[] OwnAttributes { get; } = ["linear_before_reset"];

    /// <inheritdoc/>
    protected override (CellKind Kind, CellVariant Variant) ReadCell(NodeAttributes attributes, string where)
    {
        long linearBeforeReset = attributes.Integer("linear_before_reset", 0);
        return linearBeforeReset switch
        {
            0 => (CellKind.Gru, CellVariant.ResetBefore),
            1 => (CellKind.Gru, CellVariant.Standard),
            _ => throw new FastRnnFormatException(string.Create(CultureInfo.InvariantCulture, $"{where}: attribute linear_before_reset = {linearBeforeReset} is not 0 or 1.")),
        };
    }
}

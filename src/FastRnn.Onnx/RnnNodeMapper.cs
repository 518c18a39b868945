using FastRnn.Networks;

namespace FastRnn.Onnx;

/// <summary>ONNX <c>RNN</c>: one gate block; RNN_RELU when every direction computes Relu, otherwise RNN_TANH with the node's functions.</summary>
internal sealed class RnnNodeMapper : RecurrentNodeMapper
{
    /// <summary>The one instance.</summary>
    public static readonly RnnNodeMapper Instance = new();

    private RnnNodeMapper()
    {
    }

    /// <inheritdoc/>
    public override string OperatorType => "RNN";

    /// <inheritdoc/>
    protected override int GateCount => 1;

    /// <inheritdoc/>
    protected override int[] OnnxBlockOfPyTorchGate { get; } = [0];

    /// <inheritdoc/>
    protected override string[] OwnAttributes { get; } = [];

    /// <inheritdoc/>
    protected override (CellKind Kind, CellVariant Variant) ReadCell(NodeAttributes attributes, string where) => (CellKind.RnnTanh, CellVariant.Standard);
}

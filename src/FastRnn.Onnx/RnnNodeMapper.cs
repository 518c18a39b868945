using System;
using System.Collections.Generic;
using FastRnn.Networks;

namespace FastRnn.Onnx;

/// <summary>ONNX <c>RNN</c>: one gate block; activation Tanh (default) or Relu, the same for both directions.</summary>
internal sealed class RnnNodeMapper : RecurrentNodeMapper
{
    /// <summary>The one instance.</summary>
    public static readonly RnnNodeMapper Instance = new();

    private static readonly string[] Tanh = ["Tanh"];
    private static readonly string[] Relu = ["Relu"];

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
    protected override (CellKind Kind, CellVariant Variant) ReadCell(NodeAttributes attributes, int directions, string where)
    {
        IReadOnlyList<string>? activations = attributes.Texts("activations");
        bool relu = activations is { Count: > 0 } && string.Equals(activations[0], "Relu", StringComparison.OrdinalIgnoreCase);
        RequireActivations(attributes, directions, relu ? Relu : Tanh, where, "Tanh or Relu (the same for both directions)");
        return (relu ? CellKind.RnnRelu : CellKind.RnnTanh, CellVariant.Standard);
    }
}

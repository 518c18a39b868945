using System;
using System.Collections.Generic;
using System.Globalization;
using FastRnn.Networks;

namespace FastRnn.Onnx;

/// <summary>
/// ONNX <c>LSTM</c>: gate blocks i, o, f, c (PyTorch: i, f, g, o), peepholes P [D, 3H] in order
/// i, o, f (FastRnn's peephole variant: <c>weight_ci</c>, <c>weight_cf</c>, <c>weight_co</c>, with
/// the same equations: i and f see the previous cell state, o the new one).
/// </summary>
internal sealed class LstmNodeMapper : RecurrentNodeMapper
{
    /// <summary>The one instance.</summary>
    public static readonly LstmNodeMapper Instance = new();

    private LstmNodeMapper()
    {
    }

    /// <inheritdoc/>
    public override string OperatorType => "LSTM";

    /// <inheritdoc/>
    protected override int GateCount => 4;

    /// <inheritdoc/>
    protected override int[] OnnxBlockOfPyTorchGate { get; } = [0, 2, 3, 1];

    /// <inheritdoc/>
    protected override string[] OwnAttributes { get; } = ["input_forget"];

    /// <inheritdoc/>
    protected override int? PeepholeInputIndex => 7;

    /// <inheritdoc/>
    protected override (CellKind Kind, CellVariant Variant) ReadCell(NodeAttributes attributes, string where) => (CellKind.Lstm, CellVariant.Standard);

    /// <inheritdoc/>
    protected override bool ReadInputForget(NodeAttributes attributes, string where) => attributes.Integer("input_forget", 0) switch
    {
        0 => false,
        1 => true,
        long other => throw new FastRnnFormatException(string.Create(CultureInfo.InvariantCulture, $"{where}: attribute input_forget = {other} is not 0 or 1.")),
    };

    /// <inheritdoc/>
    protected override void AddPeepholes(ReadOnlySpan<float> p, int hidden, int layer, int direction, Dictionary<string, float[]> parameters)
    {
        parameters[NetworkDescription.ParameterName("weight_ci", layer, direction)] = p.Slice(0, hidden).ToArray();
        parameters[NetworkDescription.ParameterName("weight_co", layer, direction)] = p.Slice(hidden, hidden).ToArray();
        parameters[NetworkDescription.ParameterName("weight_cf", layer, direction)] = p.Slice(2 * hidden, hidden).ToArray();
    }
}

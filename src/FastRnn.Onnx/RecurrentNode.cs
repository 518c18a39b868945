using FastRnn.Networks;
using FastRnn.Onnx.Model;

namespace FastRnn.Onnx;

/// <summary>
/// One ONNX LSTM, GRU or RNN node, validated and with its constant inputs read: weights still in
/// ONNX layout and gate order (W [D, G*H, I], R [D, G*H, H], B [D, 2*G*H], P [D, 3*H]).
/// </summary>
internal sealed class RecurrentNode
{
    /// <summary>The node.</summary>
    public required NodeProto Node { get; init; }

    /// <summary>The node's name (or <c>OpType#index</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The mapper that read it and maps its weights.</summary>
    public required RecurrentNodeMapper Mapper { get; init; }

    /// <summary>The FastRnn cell.</summary>
    public required CellKind Kind { get; init; }

    /// <summary>The FastRnn cell variant (peephole LSTM, reset-before GRU).</summary>
    public required CellVariant Variant { get; init; }

    /// <summary>1 (forward or reverse) or 2 (bidirectional).</summary>
    public required int Directions { get; init; }

    /// <summary>direction = "reverse": the one direction runs backward in time.</summary>
    public required bool Reverse { get; init; }

    /// <summary>The clip attribute (cell clip of every pre-activation), or null.</summary>
    public required float? Clip { get; init; }

    /// <summary>Each direction's activation functions (the cell kind's defaults when the node names none).</summary>
    public required CellActivations[] Activations { get; init; }

    /// <summary>LSTM input_forget = 1: f = 1 − i.</summary>
    public required bool CoupledInputForget { get; init; }

    /// <summary>hidden_size (H).</summary>
    public required int HiddenSize { get; init; }

    /// <summary>input_size (I), from W's shape.</summary>
    public required int InputSize { get; init; }

    /// <summary>layout = 1: X and Y are batch-major.</summary>
    public required bool BatchFirst { get; init; }

    /// <summary>W, [D, G*H, I], ONNX gate order.</summary>
    public required float[] W { get; init; }

    /// <summary>R, [D, G*H, H], ONNX gate order.</summary>
    public required float[] R { get; init; }

    /// <summary>B, [D, 2*G*H] (Wb then Rb), or null when the node has no bias input.</summary>
    public float[]? B { get; init; }

    /// <summary>P, [D, 3*H] (i, o, f), LSTM peepholes, or null.</summary>
    public float[]? P { get; init; }

    /// <summary>The name of input X.</summary>
    public string X => Node.Input[0];

    /// <summary>The name of output Y, or "" when the node does not produce it.</summary>
    public string Y => Node.Output.Count > 0 ? Node.Output[0] : string.Empty;

    /// <summary>The name of input sequence_lens, or "" when absent.</summary>
    public string SequenceLens => Node.Input.Count > 4 ? Node.Input[4] : string.Empty;
}

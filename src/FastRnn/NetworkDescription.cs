using System;
using System.Collections.Generic;
using System.Globalization;

namespace FastRnn;

/// <summary>
/// What a recurrent network is: cell, variant, sizes and PyTorch's layer options
/// (<c>num_layers</c>, <c>bidirectional</c>, <c>bias</c>, <c>batch_first</c>, <c>proj_size</c>).
/// </summary>
public sealed record NetworkDescription
{
    /// <summary>Creates a description; call <see cref="Validate"/> (loading does) to check it.</summary>
    /// <param name="kind">The cell.</param>
    /// <param name="inputSize">Features per input step (I).</param>
    /// <param name="hiddenSize">Hidden units (H).</param>
    public NetworkDescription(CellKind kind, int inputSize, int hiddenSize)
    {
        Kind = kind;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
    }

    /// <summary>The cell.</summary>
    public CellKind Kind { get; init; }

    /// <summary>The cell variant (peephole for LSTM, reset-before for GRU).</summary>
    public CellVariant Variant { get; init; } = CellVariant.Standard;

    /// <summary>Features per input step (I).</summary>
    public int InputSize { get; init; }

    /// <summary>Hidden units per direction (H).</summary>
    public int HiddenSize { get; init; }

    /// <summary>LSTM projection size P (<c>proj_size</c>); 0 for none.</summary>
    public int ProjectionSize { get; init; }

    /// <summary>Stacked layers (<c>num_layers</c>).</summary>
    public int NumLayers { get; init; } = 1;

    /// <summary>Whether each layer also runs a reverse direction (outputs concatenated, forward first).</summary>
    public bool Bidirectional { get; init; }

    /// <summary>
    /// Whether the single direction of every layer runs backward in time (ONNX <c>direction</c>
    /// "reverse"; PyTorch has no such option): each sequence from its last valid step to its first,
    /// from its initial state, exactly as the reverse half of a bidirectional layer. Parameters keep
    /// the forward names (<c>weight_ih_l0</c>); outputs stay in time order. Not with
    /// <see cref="Bidirectional"/>; whole sequences only (no streaming session, no truncated BPTT).
    /// </summary>
    public bool Reverse { get; init; }

    /// <summary>
    /// ONNX's cell clip (the <c>clip</c> attribute; not in PyTorch): every gate pre-activation, bias
    /// and peepholes included, is bounded to [-Clip, Clip] before its activation; null for none.
    /// Inference only: a training session refuses such a network.
    /// </summary>
    public float? Clip { get; init; }

    /// <summary>
    /// ONNX's <c>input_forget</c> (LSTM only; not in PyTorch): the forget gate is 1 − i, and the
    /// forget rows of the weights (and <c>weight_cf</c>) do not enter the result. Inference only:
    /// a training session refuses such a network.
    /// </summary>
    public bool CoupledInputForget { get; init; }

    /// <summary>
    /// ONNX's activation functions (the <c>activations</c>, <c>activation_alpha</c> and
    /// <c>activation_beta</c> attributes) of every direction, or of the forward one when
    /// <see cref="BackwardActivations"/> is set; null for the cell kind's own functions
    /// (<see cref="CellActivations.DefaultFor"/>). Functions other than those are for inference only:
    /// a training session refuses such a network.
    /// </summary>
    public CellActivations? Activations { get; init; }

    /// <summary>The reverse direction's functions when they differ from <see cref="Activations"/> (bidirectional only); null for the same.</summary>
    public CellActivations? BackwardActivations { get; init; }

    /// <summary>Whether every direction computes the cell kind's own functions (PyTorch's).</summary>
    public bool HasDefaultActivations => ActivationsOf(0) == CellActivations.DefaultFor(Kind) && ActivationsOf(Directions - 1) == CellActivations.DefaultFor(Kind);

    /// <summary>Whether the network has an option that only inference supports (<see cref="Clip"/>, <see cref="CoupledInputForget"/>, non-default <see cref="Activations"/>).</summary>
    public bool InferenceOnly => Clip is not null || CoupledInputForget || !HasDefaultActivations;

    /// <summary>
    /// The ONNX options that are set, for summaries and messages: ", reverse", ", clip 1.5",
    /// ", input_forget", ", activations …" (the metadata form) in that order; empty for none.
    /// </summary>
    /// <returns>The options, each with a leading ", ", or an empty string.</returns>
    /// <remarks>A method, not a property, so the record's generated <c>ToString</c> stays as it is.</remarks>
    public string FormatOnnxOptions() =>
        $"{(Reverse ? ", reverse" : string.Empty)}{(Clip is float clip ? ", clip " + clip.ToString(CultureInfo.InvariantCulture) : string.Empty)}{(CoupledInputForget ? ", input_forget" : string.Empty)}{(HasDefaultActivations ? string.Empty : ", activations " + ActivationMetadata.Format(this))}";

    /// <summary>
    /// The same network computing <paramref name="forward"/> (and <paramref name="backward"/> in the
    /// reverse direction), stored in one form: null where a direction computes the cell kind's own
    /// functions or the same as the forward one, so equal networks have equal descriptions.
    /// </summary>
    /// <param name="forward">The functions of the forward (or only) direction.</param>
    /// <param name="backward">The reverse direction's, or null for the same as <paramref name="forward"/>.</param>
    public NetworkDescription WithActivations(CellActivations forward, CellActivations? backward = null)
    {
        ArgumentNullException.ThrowIfNull(forward);
        CellActivations reverse = backward ?? forward;
        bool standard = forward == CellActivations.DefaultFor(Kind) && reverse == forward;
        return this with { Activations = standard ? null : forward, BackwardActivations = reverse == forward ? null : reverse };
    }

    /// <summary>The functions direction <paramref name="direction"/> computes.</summary>
    /// <param name="direction">0 forward (or the one direction), 1 reverse of a bidirectional layer.</param>
    public CellActivations ActivationsOf(int direction) =>
        (direction == 1 ? BackwardActivations ?? Activations : Activations) ?? CellActivations.DefaultFor(Kind);

    /// <summary>Whether the layers have <c>bias_ih</c> and <c>bias_hh</c>.</summary>
    public bool Bias { get; init; } = true;

    /// <summary>Whether inputs and outputs are [B, T, features] instead of [T, B, features].</summary>
    public bool BatchFirst { get; init; }

    /// <summary>Gate blocks in the weight rows: 4 (LSTM), 3 (GRU), 1 (RNN).</summary>
    public int GateCount => Kind switch
    {
        CellKind.Lstm => 4,
        CellKind.Gru => 3,
        _ => 1,
    };

    /// <summary>Directions: 2 if bidirectional, else 1.</summary>
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>Size of a hidden state h (H_out): P with projection, else H.</summary>
    public int StateSize => ProjectionSize > 0 ? ProjectionSize : HiddenSize;

    /// <summary>Features per output step: Directions * StateSize.</summary>
    public int OutputSize => Directions * StateSize;

    /// <summary>Whether the network carries a cell state c (LSTM).</summary>
    public bool HasCellState => Kind == CellKind.Lstm;

    /// <summary>Input features of layer <paramref name="layer"/>.</summary>
    public int LayerInputSize(int layer) => layer == 0 ? InputSize : OutputSize;

    /// <summary>The PyTorch <c>state_dict</c> name of a parameter, e.g. <c>weight_hh_l1_reverse</c>.</summary>
    /// <param name="kind">weight_ih, weight_hh, bias_ih, bias_hh, weight_hr, weight_ci, weight_cf or weight_co.</param>
    /// <param name="layer">Layer index.</param>
    /// <param name="direction">0 forward, 1 reverse.</param>
    public static string ParameterName(string kind, int layer, int direction) =>
        string.Create(CultureInfo.InvariantCulture, $"{kind}_l{layer}{(direction == 1 ? "_reverse" : string.Empty)}");

    /// <summary>Whether a parameter is a weight matrix (<c>weight_ih</c>, <c>weight_hh</c>, <c>weight_hr</c>): what a weight format stores.</summary>
    /// <param name="name">A <c>state_dict</c> name, e.g. <c>weight_hh_l0</c>.</param>
    /// <returns>True for the matrices, false for biases and peepholes.</returns>
    public static bool IsWeightMatrix(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.StartsWith("weight_ih_", StringComparison.Ordinal) || name.StartsWith("weight_hh_", StringComparison.Ordinal)
            || name.StartsWith("weight_hr_", StringComparison.Ordinal);
    }

    /// <summary>Every parameter's name and shape, in PyTorch's <c>state_dict</c> order.</summary>
    public IReadOnlyList<(string Name, int[] Shape)> ParameterShapes()
    {
        Validate();
        var list = new List<(string, int[])>();
        int g = GateCount * HiddenSize;
        for (int layer = 0; layer < NumLayers; layer++)
        {
            for (int direction = 0; direction < Directions; direction++)
            {
                list.Add((ParameterName("weight_ih", layer, direction), [g, LayerInputSize(layer)]));
                list.Add((ParameterName("weight_hh", layer, direction), [g, StateSize]));
                if (Bias)
                {
                    list.Add((ParameterName("bias_ih", layer, direction), [g]));
                    list.Add((ParameterName("bias_hh", layer, direction), [g]));
                }

                if (ProjectionSize > 0)
                {
                    list.Add((ParameterName("weight_hr", layer, direction), [ProjectionSize, HiddenSize]));
                }

                if (Variant == CellVariant.Peephole)
                {
                    list.Add((ParameterName("weight_ci", layer, direction), [HiddenSize]));
                    list.Add((ParameterName("weight_cf", layer, direction), [HiddenSize]));
                    list.Add((ParameterName("weight_co", layer, direction), [HiddenSize]));
                }
            }
        }

        return list;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent option.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind))
        {
            throw new ArgumentException($"Unknown cell kind {(int)Kind}.");
        }

        if (InputSize < 1 || HiddenSize < 1 || NumLayers < 1)
        {
            throw new ArgumentException($"Sizes must be positive: input_size {InputSize}, hidden_size {HiddenSize}, num_layers {NumLayers}.");
        }

        // Keeps every workspace index (T * B * gates * H) comfortably inside int range.
        if (InputSize > 1 << 20 || HiddenSize > 1 << 16 || NumLayers > 64)
        {
            throw new ArgumentException($"Sizes beyond the supported range: input_size {InputSize} (max {1 << 20}), hidden_size {HiddenSize} (max {1 << 16}), num_layers {NumLayers} (max 64).");
        }

        if (ProjectionSize < 0 || (ProjectionSize > 0 && (Kind != CellKind.Lstm || ProjectionSize >= HiddenSize)))
        {
            throw new ArgumentException($"proj_size {ProjectionSize} requires an LSTM and 0 < proj_size < hidden_size ({HiddenSize}), as in PyTorch.");
        }

        // A packed weight matrix is addressed in bytes by int: its G·H rows, padded to whole vectors of up
        // to 16 floats per gate, times its widest input (the network input or the layer below's output).
        long widest = Math.Max(InputSize, (Bidirectional ? 2L : 1L) * StateSize);
        long bytes = (((long)GateCount * HiddenSize) + (GateCount * 16L)) * widest * sizeof(float);
        if (bytes > int.MaxValue)
        {
            throw new ArgumentException(
                $"A weight matrix of [{GateCount * HiddenSize}, {widest}] needs about {bytes >> 20} MiB; each must stay under 2 GiB: use a smaller input_size or hidden_size.");
        }

        if (Variant == CellVariant.Peephole && Kind != CellKind.Lstm)
        {
            throw new ArgumentException($"The peephole variant exists for LSTM only, not {Kind}.");
        }

        if (Variant == CellVariant.ResetBefore && Kind != CellKind.Gru)
        {
            throw new ArgumentException($"The reset-before variant exists for GRU only, not {Kind}.");
        }

        if (!Enum.IsDefined(Variant))
        {
            throw new ArgumentException($"Unknown cell variant {(int)Variant}.");
        }

        if (Clip is float clip && !(clip > 0 && float.IsFinite(clip)))
        {
            throw new ArgumentException($"clip {clip.ToString(CultureInfo.InvariantCulture)} must be a positive finite number (or absent for no clipping).");
        }

        if (CoupledInputForget && Kind != CellKind.Lstm)
        {
            throw new ArgumentException($"Coupled input and forget gates (input_forget) exist for LSTM only, not {Kind}.");
        }

        if (BackwardActivations is not null && !Bidirectional)
        {
            throw new ArgumentException("BackwardActivations belong to the reverse direction of a bidirectional network; this one is not bidirectional.");
        }

        Activations?.Validate(Kind);
        BackwardActivations?.Validate(Kind);

        if (Reverse && Bidirectional)
        {
            throw new ArgumentException("reverse and bidirectional exclude each other: a bidirectional layer already runs a reverse direction beside the forward one.");
        }
    }
}

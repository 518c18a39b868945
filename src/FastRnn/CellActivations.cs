using System;
using System.Collections.Generic;

namespace FastRnn;

/// <summary>
/// The activation functions of one direction of a cell, in ONNX's roles: <see cref="Gate"/> (ONNX f),
/// <see cref="Candidate"/> (g) and <see cref="CellOutput"/> (h). PyTorch's cells are the defaults
/// (<see cref="DefaultFor"/>); other functions come from ONNX models and are for inference only.
/// </summary>
/// <param name="Gate">LSTM i, f, o and GRU z, r (default sigmoid); unused by the vanilla RNN, where it stays sigmoid.</param>
/// <param name="Candidate">LSTM g, GRU n, and the vanilla RNN's whole update h' = Candidate(W x + U h + b) (default tanh, or relu for RNN_RELU).</param>
/// <param name="CellOutput">LSTM h' = o ⊙ CellOutput(c') (default tanh); unused by GRU and RNN, where it stays tanh.</param>
public sealed record CellActivations(Activation Gate, Activation Candidate, Activation CellOutput)
{
    /// <summary>LSTM and GRU: sigmoid gates, tanh candidate and cell output.</summary>
    public static CellActivations Standard { get; } = new(Activation.Sigmoid, Activation.Tanh, Activation.Tanh);

    /// <summary>The vanilla RNN with relu.</summary>
    private static CellActivations StandardRelu { get; } = new(Activation.Sigmoid, Activation.Relu, Activation.Tanh);

    /// <summary>The functions of an LSTM direction: f for i, f, o; g for the candidate; h for the cell output.</summary>
    /// <param name="f">Gates.</param>
    /// <param name="g">Candidate.</param>
    /// <param name="h">Cell output.</param>
    public static CellActivations Lstm(Activation f, Activation g, Activation h) => new(f, g, h);

    /// <summary>The functions of a GRU direction: f for z and r; g for the candidate.</summary>
    /// <param name="f">Gates.</param>
    /// <param name="g">Candidate.</param>
    public static CellActivations Gru(Activation f, Activation g) => new(f, g, Activation.Tanh);

    /// <summary>The function of a vanilla RNN direction.</summary>
    /// <param name="f">h' = f(W x + U h + b).</param>
    public static CellActivations Rnn(Activation f) => new(Activation.Sigmoid, f, Activation.Tanh);

    /// <summary>What a cell kind computes without ONNX activations (PyTorch's functions).</summary>
    /// <param name="kind">The cell.</param>
    public static CellActivations DefaultFor(CellKind kind) => kind == CellKind.RnnRelu ? StandardRelu : Standard;

    /// <summary>How many functions ONNX lists per direction for <paramref name="kind"/>: 3 (LSTM f, g, h), 2 (GRU f, g), 1 (RNN f).</summary>
    /// <param name="kind">The cell.</param>
    public static int RolesOf(CellKind kind) => kind switch
    {
        CellKind.Lstm => 3,
        CellKind.Gru => 2,
        _ => 1,
    };

    /// <summary>The functions in ONNX's order for <paramref name="kind"/> (f, g, h; f, g; or f).</summary>
    /// <param name="kind">The cell.</param>
    public IReadOnlyList<Activation> OnnxOrder(CellKind kind) => kind switch
    {
        CellKind.Lstm => [Gate, Candidate, CellOutput],
        CellKind.Gru => [Gate, Candidate],
        _ => [Candidate],
    };

    /// <summary>The functions from ONNX's order (the inverse of <see cref="OnnxOrder"/>).</summary>
    /// <param name="kind">The cell.</param>
    /// <param name="functions">3, 2 or 1 functions (see <see cref="RolesOf"/>).</param>
    public static CellActivations FromOnnxOrder(CellKind kind, ReadOnlySpan<Activation> functions)
    {
        if (functions.Length != RolesOf(kind))
        {
            throw new ArgumentException($"A {kind} direction has {RolesOf(kind)} activation function(s); got {functions.Length}.", nameof(functions));
        }

        return kind switch
        {
            CellKind.Lstm => Lstm(functions[0], functions[1], functions[2]),
            CellKind.Gru => Gru(functions[0], functions[1]),
            _ => Rnn(functions[0]),
        };
    }

    /// <summary>Throws <see cref="ArgumentException"/> when a function is invalid or a role <paramref name="kind"/> does not have is not its default.</summary>
    /// <param name="kind">The cell these functions belong to.</param>
    public void Validate(CellKind kind)
    {
        Gate.Validate();
        Candidate.Validate();
        CellOutput.Validate();
        string? stray = kind is CellKind.RnnTanh or CellKind.RnnRelu && Gate != Activation.Sigmoid ? "gate"
            : kind != CellKind.Lstm && CellOutput != Activation.Tanh ? "cell output"
            : null;
        if (stray is not null)
        {
            throw new ArgumentException($"A {kind} cell has no {stray} activation; leave it at its default (build the set with CellActivations.{(kind == CellKind.Gru ? "Gru" : "Rnn")}).");
        }
    }

    /// <summary>The ONNX list form, e.g. <c>Sigmoid;Tanh;Tanh</c>.</summary>
    /// <param name="kind">The cell.</param>
    public string ToOnnxString(CellKind kind) => string.Join(';', OnnxOrder(kind));
}

using System;
using System.Collections.Generic;

namespace FastRnn;

/// <summary>
/// The <c>activations</c> metadata key of a network file: every direction's functions in ONNX's
/// order, separated by ';' (e.g. <c>HardSigmoid(0.2,0.5);Tanh;Tanh</c> for an LSTM, then the
/// reverse direction's for a bidirectional one). Written only when some direction differs from
/// the cell kind's own functions, so files of PyTorch networks do not have it.
/// </summary>
internal static class ActivationMetadata
{
    /// <summary>The key.</summary>
    public const string Key = "activations";

    /// <summary>The value for <paramref name="d"/>, or null when it computes the default functions.</summary>
    /// <param name="d">The description.</param>
    public static string? Format(NetworkDescription d)
    {
        if (d.HasDefaultActivations)
        {
            return null;
        }

        var directions = new List<string>(d.Directions);
        for (int direction = 0; direction < d.Directions; direction++)
        {
            directions.Add(d.ActivationsOf(direction).ToOnnxString(d.Kind));
        }

        return string.Join(';', directions);
    }

    /// <summary>Reads the value: the forward (or only) direction's functions, and the reverse direction's (null for one direction).</summary>
    /// <param name="text">The metadata value.</param>
    /// <param name="kind">The cell.</param>
    /// <param name="directions">1 or 2.</param>
    /// <param name="where">The file, for messages.</param>
    /// <exception cref="FastRnnFormatException">The value does not list the functions of every direction; the message says what it expected.</exception>
    public static (CellActivations Forward, CellActivations? Backward) Parse(string text, CellKind kind, int directions, string where)
    {
        int roles = CellActivations.RolesOf(kind);
        string[] entries = text.Split(';');
        if (entries.Length != roles * directions)
        {
            throw new FastRnnFormatException($"{where}: metadata {Key} '{Shorten(text)}' lists {entries.Length} function(s); a {kind} network with {directions} direction(s) needs {roles * directions} ({roles} per direction, in ONNX's order).");
        }

        var functions = new Activation[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            try
            {
                functions[i] = Activation.Parse(entries[i]);
            }
            catch (FormatException e)
            {
                throw new FastRnnFormatException($"{where}: metadata {Key}, entry {i}: {e.Message}", e);
            }
        }

        CellActivations forward = CellActivations.FromOnnxOrder(kind, functions.AsSpan(0, roles));
        CellActivations? backward = directions == 2 ? CellActivations.FromOnnxOrder(kind, functions.AsSpan(roles, roles)) : null;
        return (forward, backward);
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 200), "…");
}

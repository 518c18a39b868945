using System;
using System.Globalization;

namespace FastRnn;

/// <summary>
/// One activation function with its parameters, e.g. <c>LeakyRelu(0.1)</c>. Parameters a function
/// does not take are 0, so two equal functions compare equal.
/// </summary>
/// <param name="Function">The function.</param>
/// <param name="Alpha">α, for the functions that take it (Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu); else 0.</param>
/// <param name="Beta">β, for the functions that take it (Affine, ScaledTanh, HardSigmoid); else 0.</param>
public readonly record struct Activation(ActivationFunction Function, float Alpha = 0f, float Beta = 0f)
{
    /// <summary>The logistic sigmoid.</summary>
    public static Activation Sigmoid => new(ActivationFunction.Sigmoid);

    /// <summary>The hyperbolic tangent.</summary>
    public static Activation Tanh => new(ActivationFunction.Tanh);

    /// <summary>max(0, x).</summary>
    public static Activation Relu => new(ActivationFunction.Relu);

    /// <summary>Whether <see cref="Function"/> reads α.</summary>
    public bool TakesAlpha => TakesAlphaOf(Function);

    /// <summary>Whether <see cref="Function"/> reads β.</summary>
    public bool TakesBeta => TakesBetaOf(Function);

    /// <summary>Whether <paramref name="function"/> reads α.</summary>
    /// <param name="function">The function.</param>
    public static bool TakesAlphaOf(ActivationFunction function) => function is ActivationFunction.Affine or ActivationFunction.LeakyRelu or ActivationFunction.ThresholdedRelu
        or ActivationFunction.ScaledTanh or ActivationFunction.HardSigmoid or ActivationFunction.Elu;

    /// <summary>Whether <paramref name="function"/> reads β.</summary>
    /// <param name="function">The function.</param>
    public static bool TakesBetaOf(ActivationFunction function) => function is ActivationFunction.Affine or ActivationFunction.ScaledTanh or ActivationFunction.HardSigmoid;

    /// <summary>The function with α and β, keeping only the parameters it takes.</summary>
    /// <param name="function">The function.</param>
    /// <param name="alpha">α (ignored when the function takes none).</param>
    /// <param name="beta">β (ignored when the function takes none).</param>
    public static Activation Of(ActivationFunction function, float alpha = 0f, float beta = 0f) =>
        new(function, TakesAlphaOf(function) ? alpha : 0f, TakesBetaOf(function) ? beta : 0f);

    /// <summary>Throws <see cref="ArgumentException"/> when the function is unknown, a parameter is not finite, or a parameter it does not take is set.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Function))
        {
            throw new ArgumentException($"Unknown activation function {(int)Function}.");
        }

        if (!float.IsFinite(Alpha) || !float.IsFinite(Beta))
        {
            throw new ArgumentException($"Activation {this}: alpha and beta must be finite.");
        }

        if ((!TakesAlpha && Alpha != 0f) || (!TakesBeta && Beta != 0f))
        {
            throw new ArgumentException($"Activation {Function} takes {(TakesAlpha ? "alpha" : "no alpha")}{(TakesBeta ? " and beta" : TakesAlpha ? " only" : " or beta")}; it has alpha {Format(Alpha)}, beta {Format(Beta)}.");
        }
    }

    /// <summary>The text form: the name, then the parameters it takes in parentheses, e.g. <c>HardSigmoid(0.2,0.5)</c> (round-trip floats).</summary>
    public override string ToString() => TakesBeta ? $"{Function}({Format(Alpha)},{Format(Beta)})"
        : TakesAlpha ? $"{Function}({Format(Alpha)})"
        : Function.ToString();

    /// <summary>Reads the form <see cref="ToString"/> writes.</summary>
    /// <param name="text">E.g. <c>Tanh</c>, <c>LeakyRelu(0.1)</c>, <c>Affine(2,-1)</c>.</param>
    /// <returns>The activation.</returns>
    /// <exception cref="FormatException">The text names no function, or its parameters do not match the function; the message says which.</exception>
    public static Activation Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string quoted = text.Length <= 120 ? text : string.Concat(text.AsSpan(0, 120), "…"); // a message stays short whatever a file holds
        int open = text.IndexOf('(', StringComparison.Ordinal);
        string name = open < 0 ? text : text[..open];
        if (!Enum.TryParse(name, ignoreCase: false, out ActivationFunction function) || function.ToString() != name)
        {
            throw new FormatException($"'{quoted}' is not an activation: expected one of {string.Join(", ", Enum.GetNames<ActivationFunction>())}, with its parameters in parentheses.");
        }

        int expected = TakesBetaOf(function) ? 2 : TakesAlphaOf(function) ? 1 : 0;
        string[] parameters = open < 0 ? [] : text.EndsWith(')') ? text[(open + 1)..^1].Split(',') : [];
        if (parameters.Length != expected || (open >= 0 && !text.EndsWith(')')))
        {
            throw new FormatException($"'{quoted}': {function} takes {expected} parameter(s), written as {Of(function, 0.5f, 0.5f)}.");
        }

        float[] values = new float[2];
        for (int i = 0; i < parameters.Length; i++)
        {
            if (!float.TryParse(parameters[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !float.IsFinite(values[i]))
            {
                throw new FormatException($"'{quoted}': parameter {i + 1} is not a finite number.");
            }
        }

        return new Activation(function, values[0], values[1]);
    }

    private static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}

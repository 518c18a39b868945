using System;
using System.Linq;

namespace FastRnn.Tests.Onnx;

/// <summary>
/// The activation functions of a node as the ONNX specification defines them, in double precision:
/// the functions of docs/Operators.md (Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu,
/// ScaledTanh, HardSigmoid, Elu, Softsign, Softplus), activation_alpha and activation_beta
/// consumed in the order of the functions by those that take them, defaults those of the
/// corresponding operators. Written from the specification; shares nothing with FastRnn.
/// </summary>
internal static class OnnxReferenceActivations
{
    /// <summary>For direction d, the functions f, g, h (GRU: f, g; RNN: f) in ONNX order.</summary>
    public static Func<double, double>[][] Of(OnnxNodeSpec spec)
    {
        int roles = spec.Op switch { "LSTM" => 3, "GRU" => 2, _ => 1 };
        string[] defaults = spec.Op switch
        {
            "LSTM" => ["Sigmoid", "Tanh", "Tanh"],
            "GRU" => ["Sigmoid", "Tanh"],
            _ => [spec.Relu ? "Relu" : "Tanh"],
        };
        string[] names = spec.Activations ?? [.. Enumerable.Range(0, roles * spec.Directions).Select(i => defaults[i % roles])];
        float[] alphas = spec.ActivationAlpha ?? [];
        float[] betas = spec.ActivationBeta ?? [];
        int nextAlpha = 0, nextBeta = 0;
        var result = new Func<double, double>[spec.Directions][];
        for (int d = 0; d < spec.Directions; d++)
        {
            result[d] = new Func<double, double>[roles];
            for (int k = 0; k < roles; k++)
            {
                string name = names[(d * roles) + k].ToLowerInvariant();
                bool takesAlpha = name is "affine" or "leakyrelu" or "thresholdedrelu" or "scaledtanh" or "hardsigmoid" or "elu";
                bool takesBeta = name is "affine" or "scaledtanh" or "hardsigmoid";
                double a = takesAlpha ? (nextAlpha < alphas.Length ? alphas[nextAlpha++] : DefaultAlpha(name)) : 0;
                double b = takesBeta ? (nextBeta < betas.Length ? betas[nextBeta++] : DefaultBeta(name)) : 0;
                result[d][k] = Function(name, a, b);
            }
        }

        return result;
    }

    private static Func<double, double> Function(string name, double a, double b) => name switch
    {
        "relu" => x => Math.Max(0, x),
        "tanh" => Math.Tanh,
        "sigmoid" => x => 1 / (1 + Math.Exp(-x)),
        "affine" => x => (a * x) + b,
        "leakyrelu" => x => x >= 0 ? x : a * x,
        "thresholdedrelu" => x => x > a ? x : 0,
        "scaledtanh" => x => a * Math.Tanh(b * x),
        "hardsigmoid" => x => Math.Min(Math.Max((a * x) + b, 0), 1),
        "elu" => x => x >= 0 ? x : a * (Math.Exp(x) - 1),
        "softsign" => x => x / (1 + Math.Abs(x)),
        "softplus" => x => Math.Log(1 + Math.Exp(x)),
        _ => throw new ArgumentException($"not an ONNX activation: {name}"),
    };

    private static double DefaultAlpha(string name) => name switch
    {
        "leakyrelu" => 0.01,
        "thresholdedrelu" => 1.0,
        "hardsigmoid" => 0.2,
        "elu" => 1.0,
        "affine" => 1.0,
        _ => throw new ArgumentException($"{name} has no default alpha"),
    };

    private static double DefaultBeta(string name) => name switch
    {
        "hardsigmoid" => 0.5,
        "affine" => 0.0,
        _ => throw new ArgumentException($"{name} has no default beta"),
    };
}

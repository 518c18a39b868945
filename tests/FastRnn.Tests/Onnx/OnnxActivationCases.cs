using System;
using System.Linq;
using Xunit;

namespace FastRnn.Tests.Onnx;

/// <summary>Test nodes with ONNX activation functions, shared by the reference tests and the ONNX Runtime comparison.</summary>
internal static class OnnxActivationCases
{
    /// <summary>Each function with parameters chosen to exercise both of its branches on inputs of about ±2.</summary>
    public static readonly (string Name, float[] Alpha, float[] Beta)[] Functions =
    [
        ("Sigmoid", [], []),
        ("Tanh", [], []),
        ("Relu", [], []),
        ("Affine", [0.75f], [0.125f]),
        ("LeakyRelu", [0.2f], []),
        ("ThresholdedRelu", [0.125f], []),
        ("ScaledTanh", [1.25f], [0.75f]),
        ("HardSigmoid", [0.3f], [0.4f]),
        ("Elu", [0.6f], []),
        ("Softsign", [], []),
        ("Softplus", [], []),
    ];

    public static TheoryData<string, int, string, int> EveryFunctionInEveryRole()
    {
        var data = new TheoryData<string, int, string, int>();
        foreach ((string op, int roles, int variant) in new[] { ("LSTM", 3, 0), ("LSTM", 3, 1), ("GRU", 2, 0), ("GRU", 2, 1), ("RNN", 1, 0) })
        {
            for (int role = 0; role < roles; role++)
            {
                foreach ((string name, _, _) in Functions)
                {
                    data.Add(op, variant, name, role);
                }
            }
        }

        return data;
    }

    /// <summary>The node with <paramref name="function"/> in <paramref name="role"/> and the defaults elsewhere, its α and β written out.</summary>
    public static OnnxNodeSpec WithFunction(OnnxNodeSpec spec, string function, int role, int directions = 1)
    {
        string[] defaults = spec.Op switch { "LSTM" => ["Sigmoid", "Tanh", "Tanh"], "GRU" => ["Sigmoid", "Tanh"], _ => ["Tanh"] };
        (string _, float[] alpha, float[] beta) = Functions.Single(f => f.Name == function);
        string[] one = [.. defaults.Select((d, k) => k == role ? function : d)];
        return spec.WithActivations([.. Enumerable.Repeat(one, directions).SelectMany(a => a)],
            [.. Enumerable.Repeat(alpha, directions).SelectMany(a => a)], [.. Enumerable.Repeat(beta, directions).SelectMany(a => a)]);
    }

    /// <summary>
    /// Weights ×3 so that pre-activations of about ±2 reach both branches of every function; ×1 where
    /// a gate function leaves [0, 1] (LSTM and GRU states then grow geometrically, and so does the
    /// rounding error of any float32 implementation), ×0.5 for a GRU whose z exceeds 1 for every
    /// input (Softplus), which grows h even from small pre-activations.
    /// </summary>
    public static float ScaleFor(string op, string function, int role) =>
        role != 0 || op == "RNN" || function is "Sigmoid" or "HardSigmoid" ? 3f
        : op == "GRU" && function == "Softplus" ? 0.5f
        : 1f;
}

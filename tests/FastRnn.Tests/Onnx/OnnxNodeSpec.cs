using System;

namespace FastRnn.Tests.Onnx;

/// <summary>
/// One ONNX recurrent node for tests: its attributes and its weights in ONNX layout and gate order
/// (W [D, G*H, I], R [D, G*H, H], B [D, 2*G*H] = Wb then Rb, P [D, 3*H] = i, o, f).
/// LSTM gates i, o, f, c; GRU z, r, h; RNN one block.
/// </summary>
internal sealed record OnnxNodeSpec
{
    public required string Op { get; init; }
    public required int InputSize { get; init; }
    public required int HiddenSize { get; init; }
    public int Directions { get; init; } = 1;

    /// <summary>direction = "reverse" (with <see cref="Directions"/> 1).</summary>
    public bool Reverse { get; init; }

    /// <summary>The clip attribute, or null for none.</summary>
    public float? Clip { get; init; }

    /// <summary>LSTM only: input_forget = 1.</summary>
    public bool InputForget { get; init; }
    public int Layout { get; init; }

    /// <summary>GRU only: 0 (ONNX default, reset before the recurrent product) or 1 (PyTorch's form).</summary>
    public int LinearBeforeReset { get; init; } = 1;

    /// <summary>RNN only: Relu instead of Tanh.</summary>
    public bool Relu { get; init; }

    /// <summary>Write the activations attribute explicitly (with the default functions).</summary>
    public bool ExplicitActivations { get; init; }

    /// <summary>The activations attribute verbatim (every direction), overriding <see cref="Relu"/> and <see cref="ExplicitActivations"/>; null for neither.</summary>
    public string[]? Activations { get; init; }

    /// <summary>The activation_alpha attribute, or null for none.</summary>
    public float[]? ActivationAlpha { get; init; }

    /// <summary>The activation_beta attribute, or null for none.</summary>
    public float[]? ActivationBeta { get; init; }

    public required float[] W { get; init; }
    public required float[] R { get; init; }
    public float[]? B { get; init; }
    public float[]? P { get; init; }

    public int Gates => GatesOf(Op);

    /// <summary>The same node with the activation attributes given (ONNX order, every direction).</summary>
    public OnnxNodeSpec WithActivations(string[] activations, float[]? alpha = null, float[]? beta = null) =>
        this with { Activations = activations, ActivationAlpha = alpha, ActivationBeta = beta };

    /// <summary>The same node with W, R and B multiplied by <paramref name="factor"/>.</summary>
    public OnnxNodeSpec Scaled(float factor) => this with
    {
        W = Array.ConvertAll(W, v => v * factor),
        R = Array.ConvertAll(R, v => v * factor),
        B = B is null ? null : Array.ConvertAll(B, v => v * factor),
    };

    public static int GatesOf(string op) => op switch
    {
        "LSTM" => 4,
        "GRU" => 3,
        "RNN" => 1,
        _ => throw new ArgumentException($"not a recurrent op: {op}"),
    };

    /// <summary>Random weights in ±1/√H (PyTorch's initialisation range), reproducible from the seed.</summary>
    public static OnnxNodeSpec Random(string op, int inputSize, int hiddenSize, int seed, int directions = 1, bool bias = true,
        bool peephole = false, int layout = 0, int linearBeforeReset = 1, bool relu = false, bool explicitActivations = false, bool reverse = false,
        float? clip = null, bool inputForget = false)
    {
        var random = new Random(seed);
        float bound = 1f / MathF.Sqrt(hiddenSize);
        int g = GatesOf(op) * hiddenSize;
        float[] Values(int n)
        {
            float[] v = new float[n];
            for (int i = 0; i < n; i++)
            {
                v[i] = (float)(((random.NextDouble() * 2) - 1) * bound);
            }

            return v;
        }

        return new OnnxNodeSpec
        {
            Op = op,
            InputSize = inputSize,
            HiddenSize = hiddenSize,
            Directions = directions,
            Reverse = reverse,
            Clip = clip,
            InputForget = inputForget,
            Layout = layout,
            LinearBeforeReset = linearBeforeReset,
            Relu = relu,
            ExplicitActivations = explicitActivations,
            W = Values(directions * g * inputSize),
            R = Values(directions * g * hiddenSize),
            B = bias ? Values(directions * 2 * g) : null,
            P = peephole ? Values(directions * 3 * hiddenSize) : null,
        };
    }

    /// <summary>Uniform values in [-1, 1), e.g. inputs and initial states.</summary>
    public static float[] RandomValues(int count, int seed)
    {
        var random = new Random(seed);
        float[] v = new float[count];
        for (int i = 0; i < count; i++)
        {
            v[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return v;
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using FastRnn.Networks;

namespace FastRnn.Onnx;

/// <summary>
/// Reads a recurrent node's <c>activations</c>, <c>activation_alpha</c> and <c>activation_beta</c>
/// into the functions of each direction. Two readings exist and FastRnn imports a node only where
/// they agree, so that it computes what both the ONNX specification and ONNX Runtime compute:
/// the specification consumes α and β in list order by the functions that take them, defaulting to
/// the corresponding operators' defaults (LeakyRelu 0.01, ThresholdedRelu 1, HardSigmoid 0.2 and
/// 0.5, Elu 1, Affine 1 and 0; ScaledTanh has none); ONNX Runtime's LSTM and GRU consume them the
/// same way with its own defaults (LeakyRelu, HardSigmoid, Elu as the specification, 0 for the
/// others) and match names case-insensitively, while its RNN reads α and β of direction d at index d
/// (0 when the attribute is absent) and matches names exactly (an unknown spelling silently becomes
/// Tanh there). A parameter the readings disagree on is refused with both values named; writing
/// the parameters out resolves it.
/// </summary>
internal static class OnnxActivationReader
{
    /// <summary>Reads the functions of every direction.</summary>
    /// <param name="attributes">The node's attributes.</param>
    /// <param name="kind">The cell (its roles and defaults; RNN_TANH for an ONNX RNN).</param>
    /// <param name="directions">1 or 2.</param>
    /// <param name="where">The node, for messages.</param>
    /// <returns>One set per direction.</returns>
    /// <exception cref="FastRnnFormatException">An unknown function, a wrong count, or a parameter the two readings disagree on.</exception>
    public static CellActivations[] Read(NodeAttributes attributes, CellKind kind, int directions, string where)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        bool rnn = kind is CellKind.RnnTanh or CellKind.RnnRelu;
        int roles = CellActivations.RolesOf(kind);
        IReadOnlyList<string>? names = attributes.Texts("activations");
        IReadOnlyList<float> alphas = attributes.Reals("activation_alpha") ?? [];
        IReadOnlyList<float> betas = attributes.Reals("activation_beta") ?? [];
        bool hasAlpha = attributes.Reals("activation_alpha") is not null;
        bool hasBeta = attributes.Reals("activation_beta") is not null;
        var result = new CellActivations[directions];
        if (names is null)
        {
            Array.Fill(result, CellActivations.DefaultFor(kind));
            return result;
        }

        names = CountChecked(names, roles, directions, rnn, where);
        var functions = new Activation[names.Count];
        int nextAlpha = 0, nextBeta = 0;
        for (int i = 0; i < names.Count; i++)
        {
            ActivationFunction function = Resolve(names[i], i, names, rnn, where);
            int direction = i / roles;

            bool takesAlpha = Activation.TakesAlphaOf(function), takesBeta = Activation.TakesBetaOf(function);
            float? listAlpha = takesAlpha && nextAlpha < alphas.Count ? alphas[nextAlpha++] : null;
            float? listBeta = takesBeta && nextBeta < betas.Count ? betas[nextBeta++] : null;

            // The specification's reading: the next unconsumed value, else the operator's default.
            float? specAlpha = takesAlpha ? listAlpha ?? SpecificationDefault(function, alpha: true) : 0f;
            float? specBeta = takesBeta ? listBeta ?? SpecificationDefault(function, alpha: false) : 0f;

            // ONNX Runtime's: the RNN kernel indexes by direction; LSTM and GRU consume as above, with its defaults.
            float? runtimeAlpha = !takesAlpha ? 0f
                : rnn ? (!hasAlpha ? 0f : direction < alphas.Count ? alphas[direction] : null)
                : listAlpha ?? RuntimeDefault(function, alpha: true);
            float? runtimeBeta = !takesBeta ? 0f
                : rnn ? (!hasBeta ? 0f : direction < betas.Count ? betas[direction] : null)
                : listBeta ?? RuntimeDefault(function, alpha: false);

            float alpha = Agree("activation_alpha", function, i, names, specAlpha, runtimeAlpha, where);
            float beta = Agree("activation_beta", function, i, names, specBeta, runtimeBeta, where);
            functions[i] = Activation.Of(function, alpha, beta);
            try
            {
                functions[i].Validate();
            }
            catch (ArgumentException e)
            {
                throw new FastRnnFormatException($"{where}: activation entry {i} ('{names[i]}'): {e.Message}", e);
            }
        }

        for (int d = 0; d < directions; d++)
        {
            result[d] = CellActivations.FromOnnxOrder(kind, functions.AsSpan(d * roles, roles));
        }

        return result;
    }

    private static IReadOnlyList<string> CountChecked(IReadOnlyList<string> names, int roles, int directions, bool rnn, string where)
    {
        if (names.Count == roles * directions)
        {
            return names;
        }

        // ONNX Runtime's RNN accepts the schema's two-entry default with one direction and uses the first.
        if (rnn && directions == 1 && names.Count == 2)
        {
            if (names[0] == names[1])
            {
                return [names[0]];
            }

            throw new FastRnnFormatException($"{where}: attribute activations [{string.Join(", ", names)}] lists two functions for one direction; ONNX Runtime uses the first and ignores '{names[1]}', which is ambiguous: list one function.");
        }

        throw new FastRnnFormatException($"{where}: attribute activations [{string.Join(", ", names)}] has {names.Count} entries; expected {roles * directions} ({roles} per direction: {(roles == 3 ? "f, g, h" : roles == 2 ? "f, g" : "f")}).");
    }

    private static ActivationFunction Resolve(string name, int index, IReadOnlyList<string> names, bool rnn, string where)
    {
        foreach (ActivationFunction function in Enum.GetValues<ActivationFunction>())
        {
            string canonical = function.ToString();
            if (string.Equals(name, canonical, StringComparison.Ordinal))
            {
                return function;
            }

            if (string.Equals(name, canonical, StringComparison.OrdinalIgnoreCase))
            {
                if (rnn)
                {
                    throw new FastRnnFormatException($"{where}: activation '{name}' (entry {index} of [{string.Join(", ", names)}]) is not spelled '{canonical}': ONNX Runtime's RNN matches names exactly and computes Tanh for this spelling, so the model's meaning is ambiguous; write '{canonical}'.");
                }

                return function;
            }
        }

        throw new FastRnnFormatException($"{where}: activation '{name}' (entry {index} of [{string.Join(", ", names)}]) is not supported: expected one of {string.Join(", ", Enum.GetNames<ActivationFunction>())}.");
    }

    private static float Agree(string attribute, ActivationFunction function, int index, IReadOnlyList<string> names, float? specification, float? runtime, string where)
    {
        if (specification is float s && runtime is float r && s.Equals(r))
        {
            return s;
        }

        throw new FastRnnFormatException($"{where}: activation {function} (entry {index} of [{string.Join(", ", names)}]) reads its {attribute[11..]} ambiguously: the ONNX specification gives it {Describe(specification)}, ONNX Runtime {Describe(runtime)}; write {attribute} with a value for every function that takes one{(names.Count > 1 ? ", in the order of the functions" : string.Empty)}.");
    }

    private static string Describe(float? value) => value is float v ? v.ToString("R", CultureInfo.InvariantCulture) : "no value";

    private static float? SpecificationDefault(ActivationFunction function, bool alpha) => function switch
    {
        ActivationFunction.LeakyRelu => 0.01f,
        ActivationFunction.ThresholdedRelu => 1f,
        ActivationFunction.HardSigmoid => alpha ? 0.2f : 0.5f,
        ActivationFunction.Elu => 1f,
        ActivationFunction.Affine => alpha ? 1f : 0f,
        _ => null,
    };

    private static float RuntimeDefault(ActivationFunction function, bool alpha) => function switch
    {
        ActivationFunction.LeakyRelu => 0.01f,
        ActivationFunction.HardSigmoid => alpha ? 0.2f : 0.5f,
        ActivationFunction.Elu => 1f,
        _ => 0f,
    };
}

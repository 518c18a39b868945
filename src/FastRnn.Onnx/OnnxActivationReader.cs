using System;
using System.Collections.Generic;
using System.Globalization;
using FastRnn.Networks;

namespace FastRnn.Onnx;

/// <summary>
/// Reads a recurrent node's <c>activations</c>, <c>activation_alpha</c> and <c>activation_beta</c>
/// into the functions of each direction. Two readings exist, and by default FastRnn imports a node
/// only where they agree, so that it computes what both the ONNX specification and ONNX Runtime
/// compute. Both consume α and β in list order by the functions that take them. Where a value is
/// left out the specification takes the corresponding operator's default (LeakyRelu 0.01,
/// ThresholdedRelu 1, HardSigmoid 0.2 and 0.5, Elu 1, Affine 1 and 0; ScaledTanh has none), ONNX
/// Runtime 1.31 its own (LeakyRelu, HardSigmoid and Elu as the specification, 0 for the others).
/// ONNX Runtime matches LSTM and GRU names case-insensitively and RNN names exactly (refusing
/// other spellings). Where the readings differ the node is refused with both named, unless
/// <see cref="AmbiguousActivations"/> picks one; writing the parameters and exact names out resolves it.
/// </summary>
internal static class OnnxActivationReader
{
    /// <summary>Reads the functions of every direction.</summary>
    /// <param name="attributes">The node's attributes.</param>
    /// <param name="kind">The cell (its roles and defaults; RNN_TANH for an ONNX RNN).</param>
    /// <param name="directions">1 or 2.</param>
    /// <param name="ambiguous">Where the readings differ: refuse, or take one of them.</param>
    /// <param name="where">The node, for messages.</param>
    /// <returns>One set per direction.</returns>
    /// <exception cref="FastRnnFormatException">An unknown function, a wrong count, or (unless <paramref name="ambiguous"/> picks a reading that has one) a value the two readings disagree on.</exception>
    public static CellActivations[] Read(NodeAttributes attributes, CellKind kind, int directions, AmbiguousActivations ambiguous, string where)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        bool rnn = kind is CellKind.RnnTanh or CellKind.RnnRelu;
        int roles = CellActivations.RolesOf(kind);
        IReadOnlyList<string>? names = attributes.Texts("activations");
        IReadOnlyList<float> alphas = attributes.Reals("activation_alpha") ?? [];
        IReadOnlyList<float> betas = attributes.Reals("activation_beta") ?? [];
        var result = new CellActivations[directions];
        if (names is null)
        {
            Array.Fill(result, CellActivations.DefaultFor(kind));
            return result;
        }

        names = CountChecked(names, roles, directions, rnn, ambiguous, where);
        var functions = new Activation[names.Count];
        int nextAlpha = 0, nextBeta = 0;
        for (int i = 0; i < names.Count; i++)
        {
            (ActivationFunction specification, ActivationFunction? runtime) = Resolve(names[i], i, names, rnn, where);

            // The specification's reading: the next unconsumed value, else the operator's default.
            bool takesAlpha = Activation.TakesAlphaOf(specification), takesBeta = Activation.TakesBetaOf(specification);
            float? listAlpha = takesAlpha && nextAlpha < alphas.Count ? alphas[nextAlpha++] : null;
            float? listBeta = takesBeta && nextBeta < betas.Count ? betas[nextBeta++] : null;
            Activation? bySpecification = Complete(specification, takesAlpha ? listAlpha ?? SpecificationDefault(specification, alpha: true) : 0f,
                takesBeta ? listBeta ?? SpecificationDefault(specification, alpha: false) : 0f);

            // ONNX Runtime's (1.31, every operator): consumed as above, with its own defaults.
            Activation? byRuntime = runtime is ActivationFunction r
                ? Complete(r, Activation.TakesAlphaOf(r) ? listAlpha ?? RuntimeDefault(r, alpha: true) : 0f, Activation.TakesBetaOf(r) ? listBeta ?? RuntimeDefault(r, alpha: false) : 0f)
                : null;

            functions[i] = Choose(bySpecification, byRuntime, ambiguous, i, names, where);
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

    private static Activation? Complete(ActivationFunction function, float? alpha, float? beta) =>
        alpha is float a && beta is float b ? Activation.Of(function, a, b) : null;

    // The one reading, or the one `ambiguous` picks; null means that reading has no value.
    private static Activation Choose(Activation? specification, Activation? runtime, AmbiguousActivations ambiguous, int index, IReadOnlyList<string> names, string where)
    {
        if (specification is Activation s && runtime is Activation r && s == r)
        {
            return s;
        }

        Activation? chosen = ambiguous switch
        {
            AmbiguousActivations.AsSpecification => specification,
            AmbiguousActivations.AsOnnxRuntime => runtime,
            _ => null,
        };
        if (chosen is Activation c)
        {
            return c;
        }

        string reading = ambiguous == AmbiguousActivations.Refuse
            ? "; write the parameters out (activation_alpha, activation_beta in the order of the functions that take them) and the exact name, or import with AmbiguousActivations.AsOnnxRuntime or AsSpecification (fastrnn import --ambiguous-activations onnxruntime|specification)"
            : $"; the reading chosen ({ambiguous}) has no value for it";
        throw new FastRnnFormatException($"{where}: activation '{names[index]}' (entry {index} of [{string.Join(", ", names)}]) is ambiguous: the ONNX specification reads it as {Describe(specification)}, ONNX Runtime as {Describe(runtime)}{reading}.");
    }

    private static string Describe(Activation? value) => value is Activation a ? a.ToString() : "nothing it can compute";

    private static IReadOnlyList<string> CountChecked(IReadOnlyList<string> names, int roles, int directions, bool rnn, AmbiguousActivations ambiguous, string where)
    {
        if (names.Count == roles * directions)
        {
            return names;
        }

        // ONNX Runtime's RNN accepts the schema's two-entry default with one direction and uses the first.
        if (rnn && directions == 1 && names.Count == 2)
        {
            if (names[0] == names[1] || ambiguous != AmbiguousActivations.Refuse)
            {
                return [names[0]];
            }

            throw new FastRnnFormatException($"{where}: attribute activations [{string.Join(", ", names)}] lists two functions for one direction; ONNX Runtime uses the first and ignores '{names[1]}', which is ambiguous: list one function (or import with AmbiguousActivations.AsOnnxRuntime to take the first).");
        }

        throw new FastRnnFormatException($"{where}: attribute activations [{string.Join(", ", names)}] has {names.Count} entries; expected {roles * directions} ({roles} per direction: {(roles == 3 ? "f, g, h" : roles == 2 ? "f, g" : "f")}).");
    }

    // The function the specification names (any spelling) and the one ONNX Runtime computes: the
    // same, except for an RNN name not spelled exactly, which its RNN kernel refuses (null).
    private static (ActivationFunction Specification, ActivationFunction? Runtime) Resolve(string name, int index, IReadOnlyList<string> names, bool rnn, string where)
    {
        foreach (ActivationFunction function in Enum.GetValues<ActivationFunction>())
        {
            string canonical = function.ToString();
            if (string.Equals(name, canonical, StringComparison.Ordinal))
            {
                return (function, function);
            }

            if (string.Equals(name, canonical, StringComparison.OrdinalIgnoreCase))
            {
                return (function, rnn ? null : function);
            }
        }

        throw new FastRnnFormatException($"{where}: activation '{name}' (entry {index} of [{string.Join(", ", names)}]) is not supported: expected one of {string.Join(", ", Enum.GetNames<ActivationFunction>())}.");
    }

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

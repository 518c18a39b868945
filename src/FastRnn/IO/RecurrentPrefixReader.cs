using System;
using System.Collections.Generic;
using System.Globalization;
using FastRnn.Networks;

namespace FastRnn.IO;

/// <summary>
/// Infers a recurrent layer's description from its <c>state_dict</c> tensors (gate rows give the
/// cell, <c>weight_hr_l0</c> the projection, <c>weight_ci_l0</c> an LSTM's peepholes, the <c>_l{k}</c>
/// and <c>_reverse</c> names the layers and directions, <c>bias_ih_l0</c> the bias), checks every
/// tensor against it, and reads them.
/// </summary>
internal static class RecurrentPrefixReader
{
    public static RecurrentNetwork Read(SafeTensorsFile file, ModuleTensors parts, string prefix, ModuleLoadOptions options, string where)
    {
        Dictionary<string, SafeTensorsEntry> tensors = parts.Recurrent;
        if (!tensors.TryGetValue(ModuleTensors.RecurrentMarker, out SafeTensorsEntry? ih))
        {
            string found = tensors.Count == 0
                ? $"no tensor name starts with '{prefix}'"
                : $"'{prefix}{ModuleTensors.RecurrentMarker}' is missing (under that prefix: {ModuleTensors.DescribeNames(tensors)})";
            throw new FastRnnFormatException(
                $"{where}: no recurrent layer at prefix '{prefix}': {found}. Recurrent layers in the file (names cut at '{ModuleTensors.RecurrentMarker}'): {ModuleTensors.DescribePrefixes(file, ModuleTensors.RecurrentMarker, static _ => true)}.");
        }

        SafeTensorsEntry hh = Matrix(tensors, prefix, "weight_hh_l0", where);
        Matrix(tensors, prefix, ModuleTensors.RecurrentMarker, where);
        tensors.TryGetValue("weight_hr_l0", out SafeTensorsEntry? hr);
        if (hr is not null)
        {
            Matrix(tensors, prefix, "weight_hr_l0", where);
        }

        // With a projection h is P wide and weight_hr_l0 [P, H] carries H; without, weight_hh_l0 is [G*H, H].
        int hidden = hr is null ? hh.Shape[1] : hr.Shape[1];
        int rows = hh.Shape[0];
        int gates = hidden > 0 && rows % hidden == 0 ? rows / hidden : 0;
        string evidence = $"{hh}{(hr is null ? string.Empty : $" and {hr}")}";

        // A FastRnn network file (NetworkFile.Save) records its whole description in its metadata,
        // also what shapes cannot show (the GRU's reset form, the direction, clip, coupled gates,
        // activations): loaded from the top level, it loads as recorded, never as the shapes' default.
        NetworkDescription? recorded = prefix.Length == 0 && file.Metadata.ContainsKey("mode") ? NetworkFile.DescriptionFromMetadata(file) : null;
        CellKind kind = gates switch
        {
            4 => CellKind.Lstm,
            3 => CellKind.Gru,
            1 when recorded is { Kind: CellKind.RnnTanh or CellKind.RnnRelu } && options.Nonlinearity is null => recorded.Kind,
            1 => RnnKind(options.Nonlinearity, prefix, evidence, where),
            _ => throw new FastRnnFormatException($"{where}: {evidence}: {rows} gate rows for hidden size {hidden} is not 4H (LSTM), 3H (GRU) or H (RNN){ProjectionHint(hh, hr)}."),
        };
        if (kind is CellKind.Lstm or CellKind.Gru && options.Nonlinearity is RnnNonlinearity given)
        {
            throw new FastRnnFormatException($"{where}: Nonlinearity {given} was given, but the {gates}H gate rows of {evidence} make the layer at prefix '{prefix}' {(kind == CellKind.Lstm ? "an LSTM" : "a GRU")}, which has no such option; leave it null.");
        }

        int layers = 1;
        while (tensors.ContainsKey(NetworkDescription.ParameterName("weight_ih", layers, 0)))
        {
            layers++;
        }

        var description = new NetworkDescription(kind, ih.Shape[1], hidden)
        {
            // PyTorch's LSTM has no peepholes; FastRnn's peephole LSTM adds weight_ci/cf/co_l{k} [H], which the names show.
            Variant = kind == CellKind.Lstm && tensors.ContainsKey(NetworkDescription.ParameterName("weight_ci", 0, 0)) ? CellVariant.Peephole : CellVariant.Standard,
            ProjectionSize = hr is null ? 0 : hr.Shape[0],
            NumLayers = layers,
            Bidirectional = tensors.ContainsKey(NetworkDescription.ParameterName("weight_ih", 0, 1)),
            Bias = tensors.ContainsKey(NetworkDescription.ParameterName("bias_ih", 0, 0)),
            BatchFirst = options.BatchFirst,
        };
        string summary = Summary(description, evidence, ih);
        if (recorded is not null)
        {
            description = AsRecorded(recorded, description, options, summary, where);
        }

        try
        {
            description.Validate();
        }
        catch (ArgumentException e)
        {
            throw new FastRnnFormatException($"{where}: prefix '{prefix}' describes no valid network ({summary}): {e.Message}", e);
        }

        if (recorded is not null)
        {
            // Read as NetworkFile reads it: its bf16 matrices, or int8 ones with their row scales, as stored.
            return NetworkFile.FromSafeTensors(file, description, name => !tensors.ContainsKey(name), options.WeightFormat, options.InferenceOnly);
        }

        var values = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach ((string name, int[] shape) in description.ParameterShapes())
        {
            if (!tensors.TryGetValue(name, out SafeTensorsEntry? entry))
            {
                throw new FastRnnFormatException($"{where}: missing tensor '{prefix}{name}' of shape [{string.Join(", ", shape)}] for {summary}.");
            }

            if (!WeightTensors.SameShape(entry.Shape, shape))
            {
                throw new FastRnnFormatException($"{where}: tensor {NameList.Describe(entry)} has the wrong shape; {summary} needs [{string.Join(", ", shape)}].");
            }

            values[name] = WeightTensors.ReadFloat(file, entry, where);
        }

        foreach ((string name, SafeTensorsEntry entry) in tensors)
        {
            if (!values.ContainsKey(name))
            {
                throw new FastRnnFormatException($"{where}: unexpected tensor {NameList.Describe(entry)} under prefix '{prefix}': {summary} has no parameter '{NameList.Shorten(name)}'.");
            }
        }

        return RecurrentNetwork.CreateOwning(description, values, options.WeightFormat, options.InferenceOnly); // the arrays were just read: no second copy
    }

    // The recorded description once the tensors' shapes agree with it; batch-first when recorded so or asked for.
    private static NetworkDescription AsRecorded(NetworkDescription recorded, NetworkDescription inferred, ModuleLoadOptions options, string summary, string where)
    {
        if (recorded.Kind != inferred.Kind || recorded.InputSize != inferred.InputSize || recorded.HiddenSize != inferred.HiddenSize
            || recorded.ProjectionSize != inferred.ProjectionSize || recorded.NumLayers != inferred.NumLayers
            || recorded.Bidirectional != inferred.Bidirectional || recorded.Bias != inferred.Bias)
        {
            string nonlinearity = options.Nonlinearity is RnnNonlinearity given ? $" with ModuleLoadOptions.Nonlinearity {given}" : string.Empty;
            throw new FastRnnFormatException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{where}: the file's metadata describes a {recorded.NumLayers}-layer{(recorded.Bidirectional ? " bidirectional" : string.Empty)} {recorded.Kind} with input size {recorded.InputSize}, hidden size {recorded.HiddenSize}{(recorded.ProjectionSize > 0 ? $", proj_size {recorded.ProjectionSize}" : string.Empty)}{(recorded.Bias ? string.Empty : ", no bias")}, but its tensors{nonlinearity} make {summary}."));
        }

        return recorded with { BatchFirst = recorded.BatchFirst || options.BatchFirst };
    }

    private static CellKind RnnKind(RnnNonlinearity? nonlinearity, string prefix, string evidence, string where) => nonlinearity switch
    {
        RnnNonlinearity.Tanh => CellKind.RnnTanh,
        RnnNonlinearity.Relu => CellKind.RnnRelu,
        _ => throw new FastRnnFormatException($"{where}: {evidence} describe a vanilla RNN at prefix '{prefix}' (H gate rows), whose weights do not say tanh or relu; set ModuleLoadOptions.Nonlinearity."),
    };

    private static SafeTensorsEntry Matrix(Dictionary<string, SafeTensorsEntry> tensors, string prefix, string name, string where)
    {
        if (!tensors.TryGetValue(name, out SafeTensorsEntry? entry))
        {
            throw new FastRnnFormatException($"{where}: missing tensor '{prefix}{name}' (a matrix); under prefix '{prefix}' the file holds {ModuleTensors.DescribeNames(tensors)}.");
        }

        if (entry.Shape.Count != 2 || entry.Shape[0] < 1 || entry.Shape[1] < 1)
        {
            throw new FastRnnFormatException($"{where}: tensor {NameList.Describe(entry)} should be a matrix [rows, columns] with both at least 1.");
        }

        return entry;
    }

    // With a projection only an LSTM is possible, so weight_hh_l0 [4H, P] fixes the shape weight_hr_l0 must have:
    // a weight_hr_l0 stored the other way round ([H, P], as a Keras kernel is) makes the gate rows look wrong.
    private static string ProjectionHint(SafeTensorsEntry hh, SafeTensorsEntry? hr) =>
        hr is null || hh.Shape[0] % 4 != 0
            ? string.Empty
            : string.Create(
                CultureInfo.InvariantCulture,
                $"; with a projection the layer is an LSTM, whose {NameList.Shorten(hr.Name)} is [proj_size, hidden_size], here [{hh.Shape[1]}, {hh.Shape[0] / 4}] (the columns of {NameList.Shorten(hh.Name)} and a quarter of its rows), not [{hr.Shape[0]}, {hr.Shape[1]}]");

    private static string Summary(NetworkDescription d, string evidence, SafeTensorsEntry ih) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"a {d.NumLayers}-layer{(d.Bidirectional ? " bidirectional" : string.Empty)}{(d.Variant == CellVariant.Peephole ? " peephole" : string.Empty)} {d.Kind} with input size {d.InputSize}, hidden size {d.HiddenSize}{(d.ProjectionSize > 0 ? $", proj_size {d.ProjectionSize}" : string.Empty)}{(d.Bias ? string.Empty : ", no bias")} (inferred from {ih}, {evidence} and the layer names)");
}

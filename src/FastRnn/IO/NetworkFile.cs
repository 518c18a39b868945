using System;
using System.Collections.Generic;
using System.Globalization;
using FastRnn.Kernels;
using FastRnn.Networks;

namespace FastRnn.IO;

/// <summary>
/// Networks as safetensors files: parameters under PyTorch <c>state_dict</c> names, the
/// description in <c>__metadata__</c> with the keys of the conformance-case format
/// (<c>mode</c>, <c>variant</c>, <c>input_size</c>, <c>hidden_size</c>, <c>proj_size</c>,
/// <c>num_layers</c>, <c>bidirectional</c>, <c>bias</c>, <c>batch_first</c>).
/// </summary>
public static class NetworkFile
{
    /// <summary>Loads a network saved by <see cref="Save"/> or exported from PyTorch with that metadata.</summary>
    /// <param name="path">The .safetensors file.</param>
    /// <returns>The network.</returns>
    /// <exception cref="FastRnnFormatException">The file is malformed, or its tensors do not match its metadata.</exception>
    /// <exception cref="System.IO.IOException">The file cannot be opened or read.</exception>
    public static RecurrentNetwork Load(string path) => FromSafeTensors(SafeTensorsFile.Read(path));

    /// <summary>
    /// Loads PyTorch weights (for example a <c>state_dict</c> saved with the safetensors package,
    /// which carries no metadata) for a network you describe. A file that records its own description
    /// (<see cref="Save"/>, an ONNX import) loads only for that description: the layout
    /// (<see cref="NetworkDescription.BatchFirst"/>) is yours to choose, anything else must agree.
    /// </summary>
    /// <param name="path">The .safetensors file.</param>
    /// <param name="description">What the network is.</param>
    /// <returns>The network.</returns>
    /// <exception cref="FastRnnFormatException">
    /// The file is malformed, a tensor is missing, extra or mis-shaped, or the file records a network
    /// that computes something else than <paramref name="description"/> (the message gives both).
    /// </exception>
    /// <exception cref="System.IO.IOException">The file cannot be opened or read.</exception>
    public static RecurrentNetwork Load(string path, NetworkDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        SafeTensorsFile file = SafeTensorsFile.Read(path);
        if (file.Metadata.ContainsKey("mode"))
        {
            // What the shapes cannot show (tanh or relu, the GRU's reset form, the direction, clip, coupled
            // gates, activations) is in the record: weights trained for it must not run as another network.
            NetworkDescription recorded = DescriptionFromMetadata(file);
            NetworkDescription given = description.WithActivations(description.ActivationsOf(0), description.ActivationsOf(description.Directions - 1));
            if (recorded with { BatchFirst = given.BatchFirst } != given)
            {
                throw new FastRnnFormatException(
                    $"{file.SourceName ?? "the file"}: the file records a {Summary(recorded)}, but the description given is a {Summary(given)}; "
                    + "load it with NetworkFile.Load(path) to run the network it records.");
            }
        }

        return FromSafeTensors(file, description, static _ => false);
    }

    /// <summary>Builds a network from a parsed file, taking its description from the metadata.</summary>
    /// <param name="file">The file.</param>
    /// <param name="isOtherTensor">Names of tensors that may accompany the parameters (e.g. a case's inputs); null for none.</param>
    /// <returns>The network.</returns>
    public static RecurrentNetwork FromSafeTensors(SafeTensorsFile file, Func<string, bool>? isOtherTensor = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        return FromSafeTensors(file, DescriptionFromMetadata(file), isOtherTensor ?? (static _ => false));
    }

    /// <summary>Metadata key naming the stored weight format (<c>fp32</c>, <c>bf16</c>, <c>int8</c>); absent means fp32.</summary>
    public const string FormatKey = "weight_format";

    /// <summary>Suffix of the per-row scale tensor saved beside each int8 matrix.</summary>
    public const string ScaleSuffix = ".scale";

    /// <summary>The metadata value of a format.</summary>
    /// <param name="format">The format.</param>
    /// <returns>fp32, bf16 or int8.</returns>
    public static string FormatName(WeightFormat format) => format switch
    {
        WeightFormat.BFloat16 => "bf16",
        WeightFormat.Int8 => "int8",
        _ => "fp32",
    };

    /// <summary>Parses fp32, bf16 or int8.</summary>
    /// <param name="text">The name.</param>
    /// <returns>The format, or null if the name is unknown.</returns>
    public static WeightFormat? ParseFormat(string? text) => text switch
    {
        "fp32" or null => WeightFormat.Float32,
        "bf16" => WeightFormat.BFloat16,
        "int8" => WeightFormat.Int8,
        _ => null,
    };

    private static bool IsMatrix(string name) => NetworkDescription.IsWeightMatrix(name);

    /// <summary>Reads a network description from the file's metadata.</summary>
    /// <param name="file">The file.</param>
    /// <returns>The validated description.</returns>
    public static NetworkDescription DescriptionFromMetadata(SafeTensorsFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        IReadOnlyDictionary<string, string> m = file.Metadata;
        string where = file.SourceName ?? "the file";
        if (m.TryGetValue("format_version", out string? version) && version != "1")
        {
            // A later format may record what this version would silently read as a default.
            throw new FastRnnFormatException($"{where}: metadata format_version = '{NameList.Shorten(version)}'; this FastRnn reads format_version 1.");
        }

        string mode = Required(m, "mode", where);
        CellKind kind = mode switch
        {
            "RNN_TANH" => CellKind.RnnTanh,
            "RNN_RELU" => CellKind.RnnRelu,
            "LSTM" => CellKind.Lstm,
            "GRU" => CellKind.Gru,
            _ => throw new FastRnnFormatException($"{where}: metadata mode '{NameList.Shorten(mode)}' is not one of RNN_TANH, RNN_RELU, LSTM, GRU."),
        };
        string variantText = m.TryGetValue("variant", out string? v) ? v : "standard";
        CellVariant variant = variantText switch
        {
            "standard" => CellVariant.Standard,
            "peephole" => CellVariant.Peephole,
            "reset_before" => CellVariant.ResetBefore,
            _ => throw new FastRnnFormatException($"{where}: metadata variant '{NameList.Shorten(variantText)}' is not one of standard, peephole, reset_before."),
        };
        var description = new NetworkDescription(kind, Integer(m, "input_size", where, null), Integer(m, "hidden_size", where, null))
        {
            Variant = variant,
            ProjectionSize = Integer(m, "proj_size", where, 0),
            NumLayers = Integer(m, "num_layers", where, 1),
            Bidirectional = Boolean(m, "bidirectional", where, false),
            Bias = Boolean(m, "bias", where, true),
            BatchFirst = Boolean(m, "batch_first", where, false),
            Reverse = Boolean(m, "reverse", where, false),
            Clip = OptionalReal(m, "clip", where),
            CoupledInputForget = Boolean(m, "input_forget", where, false),
        };
        if (m.TryGetValue(ActivationMetadata.Key, out string? activations))
        {
            (CellActivations forward, CellActivations? backward) = ActivationMetadata.Parse(activations, kind, description.Directions, where);
            description = description.WithActivations(forward, backward);
        }

        try
        {
            description.Validate();
        }
        catch (ArgumentException e)
        {
            throw new FastRnnFormatException($"{where}: the metadata describes an invalid network: {e.Message}", e);
        }

        return description;
    }

    /// <summary>
    /// Saves the network's parameters and description, atomically (the old file survives a failed
    /// write), in the network's weight format: float32 matrices as F32; bfloat16 as BF16; int8 as
    /// I8 with a float32 <c>&lt;name&gt;.scale</c> [rows] beside each matrix. Biases and peepholes stay F32.
    /// </summary>
    /// <param name="network">The network.</param>
    /// <param name="path">Target path.</param>
    /// <exception cref="ArgumentException">
    /// A weight is NaN or infinite (a training run that diverged), or a bfloat16 network holds one beyond
    /// bfloat16's range: <see cref="Load(string)"/> would refuse the file, so nothing is written and the
    /// file at <paramref name="path"/> stays as it was. The message names the tensor and the index.
    /// </exception>
    /// <exception cref="InvalidOperationException">The network is <see cref="RecurrentNetwork.IsInferenceOnly"/>.</exception>
    /// <exception cref="System.IO.IOException">The file cannot be written; the file at <paramref name="path"/> stays as it was.</exception>
    public static void Save(RecurrentNetwork network, string path)
    {
        ArgumentNullException.ThrowIfNull(network);
        network.RequireCanonicalWeights("save it");

        // Refused here, not found at the next load: Load refuses non-finite weights, and the atomic
        // write would have replaced a loadable file with one that is not.
        foreach ((string name, _) in network.Description.ParameterShapes())
        {
            RequireSavable(network.GetParameter(name), name, network.WeightFormat == WeightFormat.BFloat16 && IsMatrix(name), nameof(network));
        }

        var writer = new SafeTensorsWriter();
        foreach ((string name, string value) in Metadata(network.Description))
        {
            writer.SetMetadata(name, value);
        }

        WeightFormat format = network.WeightFormat;
        writer.SetMetadata(FormatKey, FormatName(format));
        foreach ((string name, int[] shape) in network.Description.ParameterShapes())
        {
            ReadOnlySpan<float> values = network.GetParameter(name);
            if (format == WeightFormat.Float32 || !IsMatrix(name))
            {
                writer.Add(name, values, shape);
            }
            else if (format == WeightFormat.BFloat16)
            {
                ushort[] halves = new ushort[values.Length];
                for (int i = 0; i < halves.Length; i++)
                {
                    halves[i] = Kernels.PackedMatrix.ToBFloat16(values[i]);
                }

                writer.AddBFloat16(name, halves, shape);
            }
            else
            {
                sbyte[] quantized = new sbyte[values.Length];
                float[] scales = new float[shape[0]];
                for (int row = 0; row < shape[0]; row++)
                {
                    scales[row] = Kernels.Int8Rows.Quantize(values.Slice(row * shape[1], shape[1]), quantized.AsSpan(row * shape[1], shape[1]));
                }

                writer.AddInt8(name, quantized, shape);
                writer.Add(name + ScaleSuffix, scales, [shape[0]]);
            }
        }

        writer.Save(path);
    }

    // Throws when a value would be stored as NaN or an infinity (as bfloat16 when asBFloat16), which Load refuses.
    private static void RequireSavable(ReadOnlySpan<float> values, string name, bool asBFloat16, string parameter)
    {
        for (int i = 0; i < values.Length; i++)
        {
            float stored = asBFloat16 ? BitConverter.UInt32BitsToSingle((uint)Kernels.PackedMatrix.ToBFloat16(values[i]) << 16) : values[i];
            if (!float.IsFinite(stored))
            {
                throw new ArgumentException(
                    $"Cannot save: '{name}' holds {values[i].ToString(CultureInfo.InvariantCulture)} at index {i}"
                    + $"{(float.IsFinite(values[i]) ? ", beyond bfloat16's range (it would be stored as an infinity)" : string.Empty)}; a network file holds finite weights only (loading refuses others).",
                    parameter);
            }
        }
    }

    /// <summary>Loads a network file and stores its matrices in <paramref name="format"/> (quantizing or widening as needed).</summary>
    /// <param name="path">The .safetensors file.</param>
    /// <param name="format">The weight format to run with; null for the file's own.</param>
    /// <param name="inferenceOnly">
    /// Keep the matrices only packed for the kernels, for a process that only runs the network: it
    /// then holds the weights once, in <paramref name="format"/> (an int8 network about a quarter of
    /// an fp32 one), but cannot read them back, save, convert or train. See <see cref="RecurrentNetwork.IsInferenceOnly"/>.
    /// </param>
    /// <returns>The network.</returns>
    /// <exception cref="FastRnnFormatException">The file is malformed, or its tensors do not match its metadata.</exception>
    /// <exception cref="System.IO.IOException">The file cannot be opened or read.</exception>
    public static RecurrentNetwork Load(string path, WeightFormat? format, bool inferenceOnly = false)
    {
        SafeTensorsFile file = SafeTensorsFile.Read(path);
        return FromSafeTensors(file, DescriptionFromMetadata(file), static _ => false, format, inferenceOnly);
    }

    /// <summary>
    /// The metadata entries that describe a network: the keys of the conformance case format, and
    /// FastRnn's own keys for the ONNX options, present only when set: <c>reverse</c> and
    /// <c>input_forget</c> ("true"), <c>clip</c> (the limit), <c>activations</c> (see <see cref="ActivationMetadata"/>).
    /// </summary>
    /// <param name="d">The description.</param>
    /// <returns>Key/value pairs.</returns>
    public static IReadOnlyList<(string Key, string Value)> Metadata(NetworkDescription d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var onnxOptions = new List<(string, string)>();
        if (d.Reverse)
        {
            onnxOptions.Add(("reverse", "true"));
        }

        if (d.Clip is float clip)
        {
            onnxOptions.Add(("clip", clip.ToString("R", CultureInfo.InvariantCulture)));
        }

        if (d.CoupledInputForget)
        {
            onnxOptions.Add(("input_forget", "true"));
        }

        if (ActivationMetadata.Format(d) is string activations)
        {
            onnxOptions.Add((ActivationMetadata.Key, activations));
        }

        return
        [
            ("format_version", "1"),
            ("mode", d.Kind switch { CellKind.RnnTanh => "RNN_TANH", CellKind.RnnRelu => "RNN_RELU", CellKind.Lstm => "LSTM", _ => "GRU" }),
            ("variant", d.Variant switch { CellVariant.Peephole => "peephole", CellVariant.ResetBefore => "reset_before", _ => "standard" }),
            ("input_size", d.InputSize.ToString(CultureInfo.InvariantCulture)),
            ("hidden_size", d.HiddenSize.ToString(CultureInfo.InvariantCulture)),
            ("proj_size", d.ProjectionSize.ToString(CultureInfo.InvariantCulture)),
            ("num_layers", d.NumLayers.ToString(CultureInfo.InvariantCulture)),
            ("bidirectional", d.Bidirectional ? "true" : "false"),
            ("bias", d.Bias ? "true" : "false"),
            ("batch_first", d.BatchFirst ? "true" : "false"),
            .. onnxOptions,
        ];
    }

    /// <summary>Reads the network <paramref name="description"/> describes from a network file's tensors, in the file's stored format (fp32, bf16 or int8 with its scales).</summary>
    internal static RecurrentNetwork FromSafeTensors(
        SafeTensorsFile file, NetworkDescription description, Func<string, bool> isOtherTensor, WeightFormat? format = null, bool inferenceOnly = false)
    {
        string where = file.SourceName ?? "the file";
        var expected = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach ((string name, int[] shape) in description.ParameterShapes())
        {
            expected[name] = shape;
        }

        file.Metadata.TryGetValue(FormatKey, out string? formatText);
        WeightFormat stored = ParseFormat(formatText)
            ?? throw new FastRnnFormatException($"{where}: metadata {FormatKey} = '{(formatText is null ? null : NameList.Shorten(formatText))}' is not fp32, bf16 or int8.");
        var values = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (SafeTensorsEntry entry in file.Tensors)
        {
            if (stored == WeightFormat.Int8 && entry.Name.EndsWith(ScaleSuffix, StringComparison.Ordinal) && expected.ContainsKey(entry.Name[..^ScaleSuffix.Length])
                && IsMatrix(entry.Name[..^ScaleSuffix.Length]))
            {
                continue; // Read with its matrix.
            }

            if (!expected.TryGetValue(entry.Name, out int[]? shape))
            {
                if (isOtherTensor(entry.Name))
                {
                    continue;
                }

                throw new FastRnnFormatException($"{where}: unexpected tensor '{NameList.Shorten(entry.Name)}' for a {description.Kind} network with {description.NumLayers} layer(s){(description.Bidirectional ? ", bidirectional" : string.Empty)}{description.FormatOnnxOptions()}{(description.Bias ? string.Empty : ", no bias")}.");
            }

            bool int8Matrix = stored == WeightFormat.Int8 && IsMatrix(entry.Name);
            if (int8Matrix ? entry.DType != SafeTensorsDType.I8 : entry.DType is not (SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16))
            {
                throw new FastRnnFormatException($"{where}: tensor '{NameList.Shorten(entry.Name)}' has dtype {entry.DType.ToHeaderName()}; {(int8Matrix ? "an int8 file stores its matrices as I8" : "weights must be F32, F16 or BF16")}.");
            }

            if (!WeightTensors.SameShape(entry.Shape, shape))
            {
                throw new FastRnnFormatException($"{where}: tensor '{NameList.Shorten(entry.Name)}' has shape [{string.Join(", ", entry.Shape)}]; the metadata/description implies [{string.Join(", ", shape)}].");
            }

            float[] data = int8Matrix ? ReadInt8(file, entry, shape, where, (format ?? stored) == WeightFormat.Int8) : file.ReadFloat32(entry.Name);
            WeightTensors.RequireFinite(data, entry.Name, where);
            values[entry.Name] = data;
        }

        foreach ((string name, int[] shape) in description.ParameterShapes())
        {
            if (!values.ContainsKey(name))
            {
                throw new FastRnnFormatException($"{where}: missing tensor '{name}' of shape [{string.Join(", ", shape)}].");
            }
        }

        return RecurrentNetwork.CreateOwning(description, values, format ?? stored, inferenceOnly); // the arrays were just read: no second copy
    }

    // Dequantizes an int8 matrix with its row scales. The network re-quantizes these values
    // (Int8Rows), which gives back q and the scale exactly for rows whose largest |q| is 127 (or 0); when
    // the matrix is to run as int8 (runsAsInt8), any other row is refused rather than run as other
    // weights. (Rows with a subnormal scale, weights below about 1.5e-36, are left alone: Save writes
    // them with a smaller largest |q|, and they re-quantize as saved.)
    private static float[] ReadInt8(SafeTensorsFile file, SafeTensorsEntry entry, int[] shape, string where, bool runsAsInt8)
    {
        string scaleName = entry.Name + ScaleSuffix;
        if (!file.TryGet(scaleName, out SafeTensorsEntry? scaleEntry))
        {
            throw new FastRnnFormatException($"{where}: int8 tensor '{entry.Name}' needs its row scales, an F32 '{scaleName}' of shape [{shape[0]}]; the file has no tensor '{scaleName}'.");
        }

        if (scaleEntry.DType != SafeTensorsDType.F32 || !WeightTensors.SameShape(scaleEntry.Shape, [shape[0]]))
        {
            throw new FastRnnFormatException($"{where}: int8 tensor '{entry.Name}' needs its row scales as F32 [{shape[0]}]; the file has {NameList.Describe(scaleEntry)}.");
        }

        float[] scales = file.ReadFloat32(scaleName);
        ReadOnlySpan<byte> raw = file.RawBytes(entry.Name);
        float[] data = new float[raw.Length];
        for (int row = 0; row < shape[0]; row++)
        {
            if (!(scales[row] >= 0f) || !float.IsFinite(scales[row]))
            {
                throw new FastRnnFormatException($"{where}: '{scaleName}'[{row}] = {scales[row].ToString(CultureInfo.InvariantCulture)}; scales must be finite and non-negative.");
            }

            int largest = 0; // max |q| of the row (128 for -128)
            for (int c = 0; c < shape[1]; c++)
            {
                sbyte q = (sbyte)raw[(row * shape[1]) + c];
                largest = Math.Max(largest, Math.Abs((int)q));
                data[(row * shape[1]) + c] = q * scales[row];
            }

            if (runsAsInt8 && largest is not (0 or 127) && scales[row] >= Int16Rows.MinNormal)
            {
                throw new FastRnnFormatException(
                    $"{where}: int8 tensor '{entry.Name}' row {row} {(largest > 127 ? "holds -128" : $"reaches only ±{largest}")}; FastRnn's int8 rows span ±127 "
                    + "(scale = max |w| / 127), so it would run as other weights than the file's. Load it as float32 (NetworkFile.Load(path, WeightFormat.Float32)) "
                    + "to read its weights exactly, or quantize it as FastRnn does (WithWeightFormat(WeightFormat.Int8)).");
            }
        }

        return data;
    }

    private static string Summary(NetworkDescription d) => string.Create(
        CultureInfo.InvariantCulture,
        $"{d.Kind} ({d.Variant}) network with input_size {d.InputSize}, hidden_size {d.HiddenSize}, proj_size {d.ProjectionSize}, num_layers {d.NumLayers}, bidirectional {d.Bidirectional}, bias {d.Bias}{d.FormatOnnxOptions()}");

    private static string Required(IReadOnlyDictionary<string, string> m, string key, string where) =>
        m.TryGetValue(key, out string? value) ? value : throw new FastRnnFormatException($"{where}: metadata has no '{key}'; a network file needs mode, input_size and hidden_size at least.");

    private static int Integer(IReadOnlyDictionary<string, string> m, string key, string where, int? fallback)
    {
        if (!m.TryGetValue(key, out string? text))
        {
            return fallback ?? throw new FastRnnFormatException($"{where}: metadata has no '{key}'.");
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new FastRnnFormatException($"{where}: metadata {key} = '{NameList.Shorten(text)}' is not an integer in 0..{int.MaxValue}.");
    }

    private static float? OptionalReal(IReadOnlyDictionary<string, string> m, string key, string where)
    {
        if (!m.TryGetValue(key, out string? text))
        {
            return null;
        }

        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) && float.IsFinite(value)
            ? value
            : throw new FastRnnFormatException($"{where}: metadata {key} = '{NameList.Shorten(text)}' is not a finite float32 number.");
    }

    private static bool Boolean(IReadOnlyDictionary<string, string> m, string key, string where, bool fallback)
    {
        if (!m.TryGetValue(key, out string? text))
        {
            return fallback;
        }

        return text switch
        {
            "true" or "True" or "1" => true,
            "false" or "False" or "0" => false,
            _ => throw new FastRnnFormatException($"{where}: metadata {key} = '{NameList.Shorten(text)}' is not true or false."),
        };
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using FastRnn.Heads;
using FastRnn.IO;
using FastRnn.Kernels;
using FastRnn.Networks;

namespace FastRnn.Cli.Commands;

/// <summary>
/// A module case (shared/conformance/modules/FORMAT.md): the case file says what to run (the
/// network's metadata, <c>rnn_prefix</c>, <c>head_prefix</c>, <c>head_activation</c>) and the model
/// file is a module's plain <c>state_dict</c>, loaded through <see cref="ModuleFile"/>.
/// </summary>
internal static class ModuleCase
{
    /// <summary>Whether the case's metadata says <c>kind</c> = <c>module</c>.</summary>
    public static bool IsModuleCase(SafeTensorsFile file) =>
        file.Metadata.TryGetValue("kind", out string? kind) && kind == "module";

    /// <summary>Runs the module over the case's input: <c>output</c>, <c>h_n</c>, <c>c_n</c> (LSTM) and <c>head_output</c>.</summary>
    public static List<(string Name, float[] Data, int[] Shape)> Run(SafeTensorsFile file, string modelPath, WeightFormat format)
    {
        string where = file.SourceName ?? "the case";
        NetworkDescription expected = NetworkFile.DescriptionFromMetadata(file);
        var options = new ModuleLoadOptions
        {
            RnnPrefix = Text(file, "rnn_prefix"),
            HeadPrefix = Text(file, "head_prefix"),
            HeadActivation = Text(file, "head_activation") switch
            {
                "none" => HeadActivation.None,
                "sigmoid" => HeadActivation.Sigmoid,
                "softmax" => HeadActivation.Softmax,
                string other => throw new FastRnnFormatException($"{where}: metadata head_activation = '{other}' is not none, sigmoid or softmax."),
            },
            Nonlinearity = expected.Kind switch
            {
                CellKind.RnnTanh => RnnNonlinearity.Tanh,
                CellKind.RnnRelu => RnnNonlinearity.Relu,
                _ => null,
            },
            BatchFirst = expected.BatchFirst,
            WeightFormat = format,
            IgnoreOtherTensors = true, // checked against the case's extra_tensors below
        };
        LoadedModule module = ModuleFile.Load(modelPath, options);
        RecurrentNetwork network = module.Network;
        if (network.Description != expected)
        {
            throw new FastRnnFormatException($"{where}: the model's tensors at '{options.RnnPrefix}' make {network.Description}; the case's metadata says {expected}.");
        }

        string ignored = string.Join(",", module.IgnoredTensors);
        if (file.Metadata.TryGetValue("extra_tensors", out string? extra) && extra != ignored)
        {
            throw new FastRnnFormatException($"{where}: the case lists extra_tensors '{extra}', but the model holds '{ignored}' outside its prefixes.");
        }

        DenseHead head = module.Head!;
        if (file.Metadata.TryGetValue("head_size", out string? headSize) && headSize != head.OutputSize.ToString(CultureInfo.InvariantCulture))
        {
            throw new FastRnnFormatException($"{where}: the case's metadata says head_size = '{headSize}', but the model's head at '{options.HeadPrefix}' has {head.OutputSize} outputs.");
        }

        CaseTensors c = CaseTensors.Read(file, network.Description);
        List<(string Name, float[] Data, int[] Shape)> results = EvalCommand.Forward(network, c);
        (_, float[] output, int[] outputShape) = results[0];
        int rows = c.Steps * c.Batch;
        float[] headOutput = new float[rows * head.OutputSize];
        head.Apply(output, rows, headOutput);
        results.Add(("head_output", headOutput, [outputShape[0], outputShape[1], head.OutputSize]));
        return results;
    }

    private static string Text(SafeTensorsFile file, string key) =>
        file.Metadata.TryGetValue(key, out string? value)
            ? value
            : throw new FastRnnFormatException($"{file.SourceName ?? "the case"}: a module case needs metadata '{key}'.");
}

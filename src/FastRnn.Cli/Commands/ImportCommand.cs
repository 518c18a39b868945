using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Text;
using FastRnn.IO;
using FastRnn.Networks;
using FastRnn.Onnx;

namespace FastRnn.Cli.Commands;

/// <summary>
/// <c>fastrnn import MODEL.onnx --out MODEL.safetensors [--node NAME]</c>: converts the LSTM, GRU
/// and RNN nodes of an ONNX model into FastRnn network files (PyTorch <c>state_dict</c> names,
/// conformance-format metadata), which <c>fastrnn eval</c> and <c>NetworkFile.Load</c> read.
/// One network is written to the --out path; several to <c>&lt;out-stem&gt;.&lt;node&gt;.safetensors</c> each.
/// </summary>
internal static class ImportCommand
{

    /// <summary>The <c>import</c> command.</summary>
    public static CliCommand Create()
    {
        var model = new Argument<string>("MODEL.onnx") { Description = "The ONNX model." };
        var output = new Option<string>("--out")
        {
            HelpName = "MODEL.safetensors",
            Description = "The network file; with several networks, <stem>.<node>.safetensors each.",
            Required = true,
        };
        var node = new Option<string>("--node") { HelpName = "NAME", Description = "Convert only the network of this node." };
        Option<AmbiguousActivations?> ambiguous = CliOptions.Parsed<AmbiguousActivations>(
            "--ambiguous-activations",
            "refuse|onnxruntime|specification",
            "Activations the ONNX specification and ONNX Runtime read differently (a parameter left out, an RNN name's spelling): refuse the node (default), or compute what ONNX Runtime or the specification does.",
            "refuse, onnxruntime or specification",
            ParseAmbiguous);
        var command = new CliCommand("import", "Convert an ONNX model's LSTM/GRU/RNN nodes to network files.", FastRnnCommandLine.UsageErrorExitCode)
        {
            model,
            output,
            node,
            ambiguous,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(output) is not string outPath || result.GetValue(model) is not string modelPath)
            {
                return; // The parser reports the missing option or argument itself.
            }

            CliOptions.AddError(result, CliPaths.FileProblem("--out", outPath)
                ?? (CliPaths.SameFile(outPath, modelPath) ? $"--out '{outPath}' is the same file as the ONNX model '{modelPath}': the network would replace it" : null));
        });
        command.SetAction(result => Run(result.GetRequiredValue(model), result.GetRequiredValue(output), result.GetValue(node), result.GetValue(ambiguous) ?? AmbiguousActivations.Refuse));
        return command;
    }

    /// <summary>A reading by its command-line name, or null.</summary>
    private static AmbiguousActivations? ParseAmbiguous(string text) => text switch
    {
        "refuse" => AmbiguousActivations.Refuse,
        "onnxruntime" => AmbiguousActivations.AsOnnxRuntime,
        "specification" => AmbiguousActivations.AsSpecification,
        _ => null,
    };

    private static int Run(string modelPath, string outPath, string? node, AmbiguousActivations ambiguous)
    {
        try
        {
            IReadOnlyList<ImportedNetwork> networks = OnnxImporter.Import(modelPath, node, ambiguous);
            if (networks.Count > 1)
            {
                Console.WriteLine($"{networks.Count} recurrent networks in the model: writing one file each (pick one with --node NAME)");
            }

            var taken = new HashSet<string>(StringComparer.Ordinal);
            var paths = new List<string>(networks.Count);
            foreach (ImportedNetwork imported in networks)
            {
                paths.Add(networks.Count == 1 ? outPath : UniquePath(outPath, imported.Name, taken));
                taken.Add(paths[^1]);
            }

            // Every destination is checked before any is written.
            foreach (string path in paths)
            {
                if ((CliPaths.FileProblem("--out", path) ?? (CliPaths.SameFile(path, modelPath) ? $"'{path}' is the same file as the ONNX model '{modelPath}'" : null)) is string problem)
                {
                    return Fail(problem);
                }
            }

            WriteAll(networks, paths);
            for (int i = 0; i < networks.Count; i++)
            {
                Console.WriteLine($"wrote {paths[i]}: {Describe(networks[i])}");
            }

            return 0;
        }
        catch (Exception e) when (e is FastRnnFormatException or FormatException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            return Fail(e.Message);
        }
    }

    /// <summary>
    /// Writes every network or none: each to a temporary file beside its destination, then renames
    /// them all; on a failure, removes the temporary files and the files this run renamed already.
    /// </summary>
    private static void WriteAll(IReadOnlyList<ImportedNetwork> networks, List<string> paths)
    {
        string[] temporaries = paths.ConvertAll(CliPaths.TemporaryBeside).ToArray();
        int renamed = 0;
        try
        {
            for (int i = 0; i < networks.Count; i++)
            {
                CliPaths.Write(paths[i], () => NetworkFile.Save(networks[i].Network, temporaries[i]));
            }

            for (; renamed < paths.Count; renamed++)
            {
                CliPaths.Write(paths[renamed], () => File.Move(temporaries[renamed], paths[renamed], overwrite: true));
            }
        }
        catch
        {
            foreach (string path in temporaries.Skip(renamed).Concat(paths.Take(renamed)))
            {
                if (File.Exists(path))
                {
                    File.Delete(path);
                }
            }

            throw;
        }
    }

    /// <summary><c>dir/stem.node.safetensors</c>, the node name reduced to characters safe in file names.</summary>
    internal static string UniquePath(string outPath, string nodeName, HashSet<string> taken)
    {
        string directory = Path.GetDirectoryName(outPath) ?? string.Empty;
        string stem = Path.GetFileNameWithoutExtension(outPath);
        string extension = Path.GetExtension(outPath) is { Length: > 0 } e ? e : ".safetensors";
        var safe = new StringBuilder(nodeName.Length);
        foreach (char c in nodeName)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        }

        string name = safe.ToString().Trim('_') is { Length: > 0 } s ? s : "node";
        string path = Path.Combine(directory, $"{stem}.{name}{extension}");
        for (int n = 2; taken.Contains(path); n++)
        {
            path = Path.Combine(directory, $"{stem}.{name}_{n}{extension}");
        }

        return path;
    }

    /// <summary>The line <c>fastrnn import</c> prints for a network it wrote.</summary>
    internal static string Describe(ImportedNetwork imported)
    {
        NetworkDescription d = imported.Network.Description;
        return $"{d.Kind}{(d.Variant == CellVariant.Standard ? string.Empty : $" ({d.Variant})")}, input_size {d.InputSize}, hidden_size {d.HiddenSize}, "
            + $"{d.NumLayers} layer(s){(d.Bidirectional ? ", bidirectional" : string.Empty)}{d.FormatOnnxOptions()}{(d.Bias ? string.Empty : ", no bias")}{(d.BatchFirst ? ", batch_first" : string.Empty)} "
            + $"from node(s) {string.Join(", ", imported.NodeNames)}";
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"fastrnn import: {message}");
        return 1;
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using FastRnn.Heads;
using FastRnn.IO;

namespace FastRnn.Tests.Modules;

/// <summary>
/// One module case from tests/FastRnn.Tests/Conformance/modules (copied from
/// shared/conformance/modules, format in its FORMAT.md): the options its metadata gives, its
/// inputs and initial states, and the expected float64 tensors.
/// </summary>
public sealed class ModuleCaseData
{
    private ModuleCaseData(string name, SafeTensorsFile file)
    {
        Name = name;
        IReadOnlyDictionary<string, string> m = file.Metadata;
        Mode = m["mode"];
        BatchFirst = m["batch_first"] == "true";
        Options = new ModuleLoadOptions
        {
            RnnPrefix = m["rnn_prefix"],
            HeadPrefix = m["head_prefix"],
            HeadActivation = m["head_activation"] switch
            {
                "sigmoid" => HeadActivation.Sigmoid,
                "softmax" => HeadActivation.Softmax,
                _ => HeadActivation.None,
            },
            Nonlinearity = Mode switch
            {
                "RNN_TANH" => RnnNonlinearity.Tanh,
                "RNN_RELU" => RnnNonlinearity.Relu,
                _ => null,
            },
            BatchFirst = BatchFirst,
            IgnoreOtherTensors = m["extra_tensors"].Length > 0,
        };
        ExtraTensors = m["extra_tensors"].Length == 0 ? [] : m["extra_tensors"].Split(',');
        IReadOnlyList<int> shape = file.Get("input").Shape;
        Steps = BatchFirst ? shape[1] : shape[0];
        Batch = BatchFirst ? shape[0] : shape[1];
        Input = file.ReadFloat32("input");
        H0 = file.Contains("h0") ? file.ReadFloat32("h0") : null;
        C0 = file.Contains("c0") ? file.ReadFloat32("c0") : null;
        foreach (string tensor in new[] { "output", "h_n", "c_n", "head_output" })
        {
            if (file.Contains(tensor))
            {
                Expected[tensor] = file.ReadFloat64(tensor);
            }
        }
    }

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Conformance", "modules");

    /// <summary>Case names (NAME of NAME.case.safetensors), sorted.</summary>
    public static IReadOnlyList<string> Names() =>
        Directory.GetFiles(Folder, "*.case.safetensors")
            .Select(path => Path.GetFileName(path)[..^".case.safetensors".Length])
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>The case names as theory data.</summary>
    public static IEnumerable<object[]> Cases()
    {
        foreach (string name in Names())
        {
            yield return [name];
        }
    }

    public string Name { get; }

    public string Mode { get; }

    public bool BatchFirst { get; }

    public ModuleLoadOptions Options { get; }

    public string[] ExtraTensors { get; }

    public int Steps { get; }

    public int Batch { get; }

    /// <summary>[T, B, I], or [B, T, I] with batch_first.</summary>
    public float[] Input { get; }

    /// <summary>[L, B, H_out] or null for zeros.</summary>
    public float[]? H0 { get; }

    /// <summary>[L, B, H] (LSTM) or null for zeros.</summary>
    public float[]? C0 { get; }

    /// <summary>output, h_n, c_n (LSTM) and head_output as the case gives them.</summary>
    public Dictionary<string, double[]> Expected { get; } = new(StringComparer.Ordinal);

    public string CasePath => Path.Combine(Folder, Name + ".case.safetensors");

    public string ModelPath => Path.Combine(Folder, Name + ".model.safetensors");

    public static ModuleCaseData Load(string name) =>
        new(name, SafeTensorsFile.Read(Path.Combine(Folder, name + ".case.safetensors")));

    /// <summary>Index of step <paramref name="t"/> of sequence <paramref name="b"/> in [T, B, *] or [B, T, *] rows.</summary>
    public int Row(int t, int b) => BatchFirst ? (b * Steps) + t : (t * Batch) + b;
}

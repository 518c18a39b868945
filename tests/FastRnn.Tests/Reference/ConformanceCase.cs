using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace FastRnn.Tests.Reference;

/// <summary>One conformance case (a *.safetensors file from tests/FastRnn.Tests/Conformance), decoded into
/// reference types: the config from __metadata__ (validated against the tensor shapes), weights, inputs and
/// cotangents as doubles (exact from F32), and the expected F64 tensors (output, h_n, c_n, grad.*).</summary>
public sealed class ConformanceCase
{
    /// <summary>Folder holding the case files next to the test assembly.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Conformance");

    /// <summary>Case names (file names without extension), sorted.</summary>
    public static IReadOnlyList<string> Names() =>
        Directory.GetFiles(Folder, "*.safetensors")
            .Select(Path.GetFileNameWithoutExtension)
            .Select(n => n!)
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToArray();

    public required string Name { get; init; }
    public required ReferenceConfig Config { get; init; }
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
    public required int SeqLen { get; init; }
    public required int Batch { get; init; }

    /// <summary>Weights by state_dict name.</summary>
    public required IReadOnlyDictionary<string, double[]> Weights { get; init; }

    /// <summary>[T, B, I] or [B, T, I] if batch_first.</summary>
    public required double[] Input { get; init; }

    public double[]? H0 { get; init; }
    public double[]? C0 { get; init; }
    public long[]? Lengths { get; init; }
    public required double[] GradOutput { get; init; }
    public double[]? GradHN { get; init; }
    public double[]? GradCN { get; init; }

    /// <summary>Expected F64 tensors: output, h_n, c_n (LSTM), grad.input, grad.h0, grad.c0 (LSTM), grad.&lt;weight&gt;.</summary>
    public required IReadOnlyDictionary<string, double[]> Expected { get; init; }

    /// <summary>Shape of every tensor in the file, by name.</summary>
    public required IReadOnlyDictionary<string, int[]> Shapes { get; init; }

    public static ConformanceCase Load(string name) => LoadFile(Path.Combine(Folder, name + ".safetensors"));

    public static ConformanceCase LoadFile(string path)
    {
        ConformanceCaseFile f = ConformanceCaseFile.Load(path);
        IReadOnlyDictionary<string, string> m = f.Metadata;
        var cfg = new ReferenceConfig
        {
            Mode = Meta(m, "mode") switch
            {
                "RNN_TANH" => ReferenceMode.RnnTanh,
                "RNN_RELU" => ReferenceMode.RnnRelu,
                "LSTM" => ReferenceMode.Lstm,
                "GRU" => ReferenceMode.Gru,
                string s => throw new InvalidDataException($"{path}: unknown mode {s}"),
            },
            Variant = Meta(m, "variant") switch
            {
                "standard" => ReferenceVariant.Standard,
                "peephole" => ReferenceVariant.Peephole,
                "reset_before" => ReferenceVariant.ResetBefore,
                string s => throw new InvalidDataException($"{path}: unknown variant {s}"),
            },
            InputSize = int.Parse(Meta(m, "input_size")),
            HiddenSize = int.Parse(Meta(m, "hidden_size")),
            ProjSize = int.Parse(Meta(m, "proj_size")),
            NumLayers = int.Parse(Meta(m, "num_layers")),
            Bidirectional = Bool(m, "bidirectional"),
            Bias = Bool(m, "bias"),
            BatchFirst = Bool(m, "batch_first"),
        };
        cfg.Validate();
        bool hasLengths = Bool(m, "has_lengths");

        int[] inputShape = f.Shape("input");
        Require(inputShape.Length == 3 && inputShape[2] == cfg.InputSize, path, "input shape");
        int seqLen = cfg.BatchFirst ? inputShape[1] : inputShape[0];
        int batch = cfg.BatchFirst ? inputShape[0] : inputShape[1];
        if (m.TryGetValue("seq_len", out string? sl))
        {
            Require(int.Parse(sl) == seqLen, path, "seq_len");
        }

        if (m.TryGetValue("batch_size", out string? bs))
        {
            Require(int.Parse(bs) == batch, path, "batch_size");
        }

        int states = cfg.NumLayers * cfg.Directions;
        int hOut = cfg.OutputHidden;
        int[] outputShape = cfg.BatchFirst
            ? [batch, seqLen, cfg.Directions * hOut]
            : [seqLen, batch, cfg.Directions * hOut];
        var expectedShapes = new List<(string name, int[] shape)>
        {
            ("input", inputShape),
            ("h0", [states, batch, hOut]),
            ("grad_output", outputShape),
            ("grad_h_n", [states, batch, hOut]),
            ("output", outputShape),
            ("h_n", [states, batch, hOut]),
            ("grad.input", inputShape),
            ("grad.h0", [states, batch, hOut]),
        };
        if (cfg.IsLstm)
        {
            expectedShapes.Add(("c0", [states, batch, cfg.HiddenSize]));
            expectedShapes.Add(("grad_c_n", [states, batch, cfg.HiddenSize]));
            expectedShapes.Add(("c_n", [states, batch, cfg.HiddenSize]));
            expectedShapes.Add(("grad.c0", [states, batch, cfg.HiddenSize]));
        }

        if (hasLengths)
        {
            expectedShapes.Add(("lengths", [batch]));
        }

        var weights = new Dictionary<string, double[]>();
        foreach ((string name, int[] shape) in cfg.WeightShapes())
        {
            expectedShapes.Add((name, shape));
            expectedShapes.Add(("grad." + name, shape));
            weights[name] = f.Doubles(name);
        }

        foreach ((string name, int[] shape) in expectedShapes)
        {
            Require(f.Contains(name), path, $"missing tensor {name}");
            Require(f.Shape(name).SequenceEqual(shape), path, $"{name} shape [{string.Join(",", f.Shape(name))}]");
        }

        Require(f.Names.Count == expectedShapes.Count, path, "unexpected extra tensors");

        var expected = new Dictionary<string, double[]>();
        foreach (string name in f.Names)
        {
            if (name is "output" or "h_n" or "c_n" || name.StartsWith("grad.", StringComparison.Ordinal))
            {
                Require(f.DType(name) == "F64", path, $"{name} is not F64");
                expected[name] = f.Doubles(name);
            }
        }

        return new ConformanceCase
        {
            Name = Path.GetFileNameWithoutExtension(path),
            Config = cfg,
            Metadata = m,
            SeqLen = seqLen,
            Batch = batch,
            Weights = weights,
            Input = f.Doubles("input"),
            H0 = f.Contains("h0") ? f.Doubles("h0") : null,
            C0 = f.Contains("c0") ? f.Doubles("c0") : null,
            Lengths = hasLengths ? f.Longs("lengths") : null,
            GradOutput = f.Doubles("grad_output"),
            GradHN = f.Contains("grad_h_n") ? f.Doubles("grad_h_n") : null,
            GradCN = f.Contains("grad_c_n") ? f.Doubles("grad_c_n") : null,
            Expected = expected,
            Shapes = f.Names.ToDictionary(n => n, f.Shape),
        };
    }

    /// <summary>Runs the reference forward on this case.</summary>
    public ReferenceForwardResult RunForward() =>
        ReferenceNetwork.Forward(Config, Weights, Input, SeqLen, Batch, H0, C0, Lengths);

    /// <summary>Runs the reference backward on this case with the file's cotangents.</summary>
    public ReferenceGradients RunBackward() =>
        ReferenceNetwork.Backward(
            Config, Weights, Input, SeqLen, Batch, H0, C0, Lengths, GradOutput, GradHN, GradCN);

    private static string Meta(IReadOnlyDictionary<string, string> m, string key) =>
        m.TryGetValue(key, out string? v) ? v : throw new InvalidDataException($"metadata {key} missing");

    private static bool Bool(IReadOnlyDictionary<string, string> m, string key) => Meta(m, key) switch
    {
        "true" => true,
        "false" => false,
        string s => throw new InvalidDataException($"metadata {key} = {s} is not true/false"),
    };

    private static void Require(bool condition, string path, string what)
    {
        if (!condition)
        {
            throw new InvalidDataException($"{path}: metadata and tensors disagree: {what}");
        }
    }
}

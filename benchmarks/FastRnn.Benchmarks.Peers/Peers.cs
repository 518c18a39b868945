using System;
using System.Collections.Generic;
using System.Linq;
using FastRnn.Networks;
using FastRnn.Onnx.Model;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;

namespace FastRnn.Benchmarks.Peers;

/// <summary>What the peer benchmarks share: the network, the checks, the peers' versions.</summary>
internal static class Peers
{
    /// <summary>PyTorch's gate blocks in ONNX order: LSTM (i,f,g,o) → (i,o,f,c); GRU (r,z,n) → (z,r,h).</summary>
    private static readonly int[] LstmToOnnx = [0, 3, 1, 2];
    private static readonly int[] GruToOnnx = [1, 0, 2];

    /// <summary>The network every peer copies (PyTorch's default initialisation, seed 1).</summary>
    public static RecurrentNetwork Network(CellKind cell, int hidden) =>
        RecurrentNetwork.CreateRandom(new NetworkDescription(cell, hidden, hidden), 1);

    /// <summary>A deterministic input in [-0.6, 0.6].</summary>
    public static float[] Input(int length, int salt)
    {
        float[] x = new float[length];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (((i * 7) + salt) % 13 - 6) * 0.1f;
        }

        return x;
    }

    /// <summary>Throws unless max |expected - actual| ≤ 1e-4 · max |expected|: a peer running different math is a bug.</summary>
    public static void Check(string what, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        if (expected.Length != actual.Length)
        {
            throw new InvalidOperationException($"{what}: {actual.Length} values, FastRnn has {expected.Length}.");
        }

        float scale = 0f, diff = 0f;
        for (int i = 0; i < expected.Length; i++)
        {
            scale = MathF.Max(scale, MathF.Abs(expected[i]));
            float d = MathF.Abs(expected[i] - actual[i]);
            diff = float.IsNaN(d) ? float.PositiveInfinity : MathF.Max(diff, d);
        }

        if (!(diff <= 1e-4f * scale) || scale == 0f)
        {
            throw new InvalidOperationException($"{what} differs from FastRnn: max abs diff {diff:G3}, max |value| {scale:G3} (limit 1e-4 relative).");
        }
    }

    /// <summary>
    /// A one-node ONNX model (opset 14) with FastRnn's weights: inputs X [T, B, I] (and initial_h, initial_c
    /// [1, B, H] when <paramref name="withState"/>), outputs Y [T, 1, B, H], Y_h (and Y_c).
    /// </summary>
    public static byte[] OnnxModel(RecurrentNetwork network, int steps, int batch, bool withState)
    {
        NetworkDescription d = network.Description;
        bool lstm = d.Kind == CellKind.Lstm;
        int h = d.HiddenSize, gates = d.GateCount;
        int[] order = lstm ? LstmToOnnx : d.Kind == CellKind.Gru ? GruToOnnx : [0];
        float[] w = Reorder(network.GetParameter("weight_ih_l0"), order);
        float[] r = Reorder(network.GetParameter("weight_hh_l0"), order);
        float[] b = [.. Reorder(network.GetParameter("bias_ih_l0"), order), .. Reorder(network.GetParameter("bias_hh_l0"), order)];
        var graph = new GraphProto { Name = "peer" };
        graph.Input.Add(Value("X", steps, batch, d.InputSize));
        graph.Initializer.Add(Tensor("W", w, 1, gates * h, d.InputSize));
        graph.Initializer.Add(Tensor("R", r, 1, gates * h, h));
        graph.Initializer.Add(Tensor("B", b, 1, 2 * gates * h));
        var node = new NodeProto { Name = "rnn", OpType = lstm ? "LSTM" : d.Kind == CellKind.Gru ? "GRU" : "RNN" };
        node.Input.AddRange(["X", "W", "R", "B", string.Empty]);
        if (withState)
        {
            graph.Input.Add(Value("initial_h", 1, batch, h));
            node.Input.Add("initial_h");
            if (lstm)
            {
                graph.Input.Add(Value("initial_c", 1, batch, h));
                node.Input.Add("initial_c");
            }
        }

        node.Output.AddRange(lstm ? ["Y", "Y_h", "Y_c"] : ["Y", "Y_h"]);
        node.Attribute.Add(new AttributeProto { Name = "hidden_size", Type = AttributeProto.Types.AttributeType.Int, I = h });
        if (d.Kind == CellKind.Gru)
        {
            node.Attribute.Add(new AttributeProto { Name = "linear_before_reset", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        }

        graph.Node.Add(node);
        foreach (string output in node.Output)
        {
            graph.Output.Add(new ValueInfoProto { Name = output });
        }

        var model = new ModelProto { IrVersion = 8, ProducerName = "FastRnn.Benchmarks.Peers", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 14 });
        return model.ToByteArray();
    }

    /// <summary>ONNX Runtime options for a fair comparison: <paramref name="threads"/> intra-op threads, sequential execution.</summary>
    public static SessionOptions OrtOptions(int threads) => new()
    {
        IntraOpNumThreads = threads,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
    };

    /// <summary>Copies FastRnn's parameters into a torch module (nn.LSTM/GRU names end in _l0; the cells' do not).</summary>
    public static void CopyInto(torch.nn.Module module, RecurrentNetwork network)
    {
        using var noGrad = torch.no_grad();
        int copied = 0;
        foreach ((string name, TorchSharp.Modules.Parameter p) in module.named_parameters())
        {
            string source = name.EndsWith("_l0", StringComparison.Ordinal) ? name : name + "_l0";
            using torch.Tensor t = torch.tensor(network.GetParameter(source).ToArray(), p.shape);
            p.copy_(t);
            copied++;
        }

        if (copied != network.ParameterNames.Count)
        {
            throw new InvalidOperationException($"Copied {copied} parameters into the torch module, FastRnn has {network.ParameterNames.Count}.");
        }
    }

    public static float[] ToArray(torch.Tensor t) => t.contiguous().data<float>().ToArray();

    /// <summary>`peers`: prints each peer's version, or why it does not load.</summary>
    public static int PrintStatus()
    {
        Console.WriteLine($"ONNX Runtime: {OrtEnv.Instance().GetVersionString()}");
        string? torchError = TorchNative.TryLoad();
        foreach (string line in TorchNative.Patched)
        {
            Console.WriteLine($"TorchSharp fix-up: {line}");
        }

        Console.WriteLine(torchError is null
            ? $"TorchSharp: {typeof(torch).Assembly.GetName().Version}, libtorch {torch.__version__}, threads {torch.get_num_threads()}, torch.ones(1) ok"
            : $"TorchSharp: UNAVAILABLE: {torchError}");
        return torchError is null ? 0 : 1;
    }

    private static float[] Reorder(ReadOnlySpan<float> pytorch, int[] order)
    {
        int block = pytorch.Length / order.Length;
        float[] onnx = new float[pytorch.Length];
        for (int k = 0; k < order.Length; k++)
        {
            pytorch.Slice(order[k] * block, block).CopyTo(onnx.AsSpan(k * block, block));
        }

        return onnx;
    }

    private static TensorProto Tensor(string name, float[] values, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        byte[] raw = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        t.RawData = ByteString.CopyFrom(raw);
        return t;
    }

    private static ValueInfoProto Value(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(dims.Select(n => new TensorShapeProto.Types.Dimension { DimValue = n }));
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using FastRnn.Networks;
using FastRnn.Onnx;

namespace FastRnn.Tests.Onnx;

/// <summary>What FastRnn computed for a model, in ONNX's layouts: Y of the last node, Y_h and Y_c of every node.</summary>
internal sealed class OnnxCaseResult
{
    public required double[] Y { get; init; }
    public required double[][] YH { get; init; }
    public double[][]? YC { get; init; }
}

/// <summary>
/// A test model with its run-time inputs (X, sequence_lens, initial states in ONNX layouts), run
/// through FastRnn (imported from the model's bytes) and through the ONNX-semantics reference.
/// </summary>
internal sealed class OnnxCase
{
    public OnnxCase(IReadOnlyList<OnnxNodeSpec> layers, OnnxModelOptions options, int steps, int batch, int seed)
    {
        Layers = layers;
        Options = options;
        Steps = steps;
        Batch = batch;
        OnnxNodeSpec first = layers[0];
        X = OnnxNodeSpec.RandomValues(steps * batch * first.InputSize, seed);
        var random = new Random(seed + 1);
        Lengths = options.SequenceLens ? [.. Enumerable.Range(0, batch).Select(b => b == 0 ? steps : random.Next(1, steps + 1))] : null;
        int stateSize = first.Directions * batch * first.HiddenSize;
        InitialH = options.InitialStates ? [.. layers.Select((_, k) => OnnxNodeSpec.RandomValues(stateSize, seed + 10 + k))] : null;
        InitialC = options.InitialStates && first.Op == "LSTM" ? [.. layers.Select((_, k) => OnnxNodeSpec.RandomValues(stateSize, seed + 20 + k))] : null;
        ModelBytes = OnnxModelBuilder.Bytes(OnnxModelBuilder.Build(layers, options));
    }

    public IReadOnlyList<OnnxNodeSpec> Layers { get; }
    public OnnxModelOptions Options { get; }
    public int Steps { get; }
    public int Batch { get; }
    public float[] X { get; }
    public int[]? Lengths { get; }
    public float[][]? InitialH { get; }
    public float[][]? InitialC { get; }
    public byte[] ModelBytes { get; }

    public IReadOnlyList<ImportedNetwork> Import(string? nodeName = null, AmbiguousActivations ambiguous = AmbiguousActivations.Refuse)
    {
        using var stream = new MemoryStream(ModelBytes);
        return OnnxImporter.Import(stream, nodeName, "test.onnx", ambiguous);
    }

    /// <summary>Runs an imported network of all <see cref="Layers"/> on this case's inputs.</summary>
    public OnnxCaseResult RunFastRnn(RecurrentNetwork network)
    {
        OnnxNodeSpec first = Layers[0];
        NetworkDescription d = network.Description;
        int dirs = d.Directions, h = d.HiddenSize, layers = d.NumLayers, layout = first.Layout;
        float[] output = new float[Steps * Batch * d.OutputSize];
        float[] hn = new float[layers * dirs * Batch * h];
        float[]? cn = d.HasCellState ? new float[hn.Length] : null;
        float[] h0 = InitialH is null ? [] : OnnxLayouts.StatesFromOnnx(InitialH, dirs, Batch, h, layout);
        float[] c0 = InitialC is null ? [] : OnnxLayouts.StatesFromOnnx(InitialC, dirs, Batch, h, layout);
        network.Forward(network.CreateWorkspace(Batch, Steps), X, Steps, Batch, output, new InitialState(h0, c0), new FinalState(hn, cn ?? []), Lengths ?? []);
        return new OnnxCaseResult
        {
            Y = OnnxLayouts.OutputToY(output, Steps, Batch, dirs, h, layout),
            YH = [.. Enumerable.Range(0, layers).Select(k => OnnxLayouts.StatesToOnnx(hn, k, dirs, Batch, h, layout))],
            YC = cn is null ? null : [.. Enumerable.Range(0, layers).Select(k => OnnxLayouts.StatesToOnnx(cn, k, dirs, Batch, h, layout))],
        };
    }

    /// <summary>The reference, node by node; layer k+1's X is layer k's Y with directions side by side (what the linking ops compute).</summary>
    public OnnxCaseResult RunReference()
    {
        double[] x = [.. X.Select(v => (double)v)];
        var yh = new List<double[]>();
        var yc = new List<double[]>();
        double[] y = [];
        for (int k = 0; k < Layers.Count; k++)
        {
            OnnxNodeSpec spec = Layers[k];
            OnnxReferenceResult r = OnnxReference.Run(spec, x, Steps, Batch, Lengths,
                InitialH?[k].Select(v => (double)v).ToArray(), InitialC?[k].Select(v => (double)v).ToArray());
            y = r.Y;
            yh.Add(r.YH);
            if (r.YC is not null)
            {
                yc.Add(r.YC);
            }

            x = spec.Layout == 1 ? r.Y : DirectionsSideBySide(r.Y, spec);
        }

        return new OnnxCaseResult { Y = y, YH = [.. yh], YC = yc.Count > 0 ? [.. yc] : null };
    }

    /// <summary>[T, D, B, H] → [T, B, D*H] (Transpose [0, 2, 1, 3] then Reshape [0, 0, -1]).</summary>
    private double[] DirectionsSideBySide(double[] y, OnnxNodeSpec spec)
    {
        int dirs = spec.Directions, h = spec.HiddenSize;
        double[] x = new double[y.Length];
        for (int t = 0; t < Steps; t++)
        {
            for (int d = 0; d < dirs; d++)
            {
                for (int b = 0; b < Batch; b++)
                {
                    Array.Copy(y, ((((t * dirs) + d) * Batch) + b) * h, x, ((((t * Batch) + b) * dirs) + d) * h, h);
                }
            }
        }

        return x;
    }
}

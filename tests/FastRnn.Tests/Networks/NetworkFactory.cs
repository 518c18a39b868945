using System;
using System.Collections.Generic;
using FastRnn.Networks;
using FastRnn.Tests.Reference;

namespace FastRnn.Tests.Networks;

/// <summary>Bridges the reference's configuration and weights to the production network.</summary>
internal static class NetworkFactory
{
    public static NetworkDescription Describe(ReferenceConfig c) => new(
        c.Mode switch
        {
            ReferenceMode.RnnTanh => CellKind.RnnTanh,
            ReferenceMode.RnnRelu => CellKind.RnnRelu,
            ReferenceMode.Lstm => CellKind.Lstm,
            _ => CellKind.Gru,
        },
        c.InputSize,
        c.HiddenSize)
    {
        Variant = c.Variant switch
        {
            ReferenceVariant.Peephole => CellVariant.Peephole,
            ReferenceVariant.ResetBefore => CellVariant.ResetBefore,
            _ => CellVariant.Standard,
        },
        ProjectionSize = c.ProjSize,
        NumLayers = c.NumLayers,
        Bidirectional = c.Bidirectional,
        Bias = c.Bias,
        BatchFirst = c.BatchFirst,
    };

    public static RecurrentNetwork Build(ReferenceConfig config, IReadOnlyDictionary<string, double[]> weights)
    {
        var floats = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, double[]> pair in weights)
        {
            floats[pair.Key] = ToFloat(pair.Value)!;
        }

        return RecurrentNetwork.Create(Describe(config), floats);
    }

    /// <summary>Random float32 weights, as doubles for the reference (exactly the same values).</summary>
    public static Dictionary<string, double[]> RandomWeights(ReferenceConfig config, Random random, double scale)
    {
        var weights = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach ((string name, int[] shape) in config.WeightShapes())
        {
            int count = 1;
            foreach (int d in shape)
            {
                count *= d;
            }

            weights[name] = RandomFloats(random, count, scale);
        }

        return weights;
    }

    public static double[] RandomFloats(Random random, int count, double scale)
    {
        double[] values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)(((random.NextDouble() * 2.0) - 1.0) * scale);
        }

        return values;
    }

    public static float[]? ToFloat(double[]? values)
    {
        if (values is null)
        {
            return null;
        }

        float[] result = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = (float)values[i];
        }

        return result;
    }

    public static int[]? ToInt(long[]? values)
    {
        if (values is null)
        {
            return null;
        }

        int[] result = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = checked((int)values[i]);
        }

        return result;
    }

    public static double[] ToDouble(float[] values)
    {
        double[] result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = values[i];
        }

        return result;
    }

    /// <summary>Runs the production forward pass and returns output, h_n, c_n (null unless LSTM).</summary>
    public static (float[] Output, float[] HN, float[]? CN) Forward(RecurrentNetwork network, float[] input, int steps, int batch, float[]? h0, float[]? c0, int[]? lengths, int threads = 1)
    {
        NetworkDescription d = network.Description;
        int slots = d.NumLayers * d.Directions;
        float[] output = new float[steps * batch * d.OutputSize];
        float[] hn = new float[slots * batch * d.StateSize];
        float[]? cn = d.HasCellState ? new float[slots * batch * d.HiddenSize] : null;
        var workspace = network.CreateWorkspace(batch, steps, threads);
        network.Forward(workspace, input, steps, batch, output, new InitialState(h0, c0), new FinalState(hn, cn), lengths);
        return (output, hn, cn);
    }
}

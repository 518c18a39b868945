using System;
using FastRnn.IO;
using FastRnn.Networks;
using FastRnn.Tests.Onnx;

namespace FastRnn.Tests.Modules;

/// <summary>Builds module state_dicts in memory, named as PyTorch names them, to be changed tensor by tensor.</summary>
internal static class ModuleBytes
{
    /// <summary>A writer holding <paramref name="network"/>'s parameters under <paramref name="prefix"/>.</summary>
    public static SafeTensorsWriter Recurrent(RecurrentNetwork network, string prefix, Func<string, bool>? skip = null)
    {
        var writer = new SafeTensorsWriter();
        AddRecurrent(writer, network, prefix, skip);
        return writer;
    }

    public static void AddRecurrent(SafeTensorsWriter writer, RecurrentNetwork network, string prefix, Func<string, bool>? skip = null)
    {
        foreach ((string name, int[] shape) in network.Description.ParameterShapes())
        {
            if (skip is null || !skip(name))
            {
                writer.Add(prefix + name, network.GetParameter(name), shape);
            }
        }
    }

    /// <summary>Adds an nn.Linear [classes, inputs] under <paramref name="prefix"/> with values from <paramref name="seed"/>.</summary>
    public static void AddHead(SafeTensorsWriter writer, string prefix, int classes, int inputs, bool bias = true, int seed = 5)
    {
        writer.Add(prefix + "weight", OnnxNodeSpec.RandomValues(classes * inputs, seed), [classes, inputs]);
        if (bias)
        {
            writer.Add(prefix + "bias", OnnxNodeSpec.RandomValues(classes, seed + 1), [classes]);
        }
    }

    /// <summary>A two-layer LSTM (input 3, hidden 8) under <c>rnn.</c> and a 5-class head under <c>head.</c>.</summary>
    public static SafeTensorsWriter LstmWithHead(out RecurrentNetwork network)
    {
        network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, 3, 8) { NumLayers = 2 }, seed: 3);
        SafeTensorsWriter writer = Recurrent(network, "rnn.");
        AddHead(writer, "head.", 5, 8);
        return writer;
    }
}

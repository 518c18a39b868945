using System;
using System.IO;
using FastRnn.Heads;
using FastRnn.IO;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Reliability.Fuzzing;

/// <summary>
/// <see cref="ModuleFile.Load(Stream, ModuleLoadOptions, string)"/> with prefixes <c>rnn.</c> and
/// <c>head.</c>, other tensors ignored: an accepted file gives exactly the file's tensors, and a
/// step of the network and its head runs.
/// </summary>
internal sealed class ModuleFileTarget : ReaderTarget
{
    private static readonly ModuleLoadOptions Options = new() { RnnPrefix = "rnn.", HeadPrefix = "head.", HeadActivation = HeadActivation.Softmax, IgnoreOtherTensors = true };

    public override string Name => "module";

    public override byte[][] Seeds { get; } =
    [
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Conformance", "modules", "lstm_l2_head_softmax.model.safetensors")),
        Module(new NetworkDescription(CellKind.Lstm, 2, 4) { ProjectionSize = 2, NumLayers = 2 }, headBias: true),
        Module(new NetworkDescription(CellKind.Gru, 3, 2) { Bidirectional = true, Bias = false }, headBias: false),
    ];

    public override object Load(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return ModuleFile.Load(stream, Options);
    }

    public override void VerifyAccepted(byte[] bytes, object loaded)
    {
        var module = (LoadedModule)loaded;
        SafeTensorsFile file = SafeTensorsFile.Parse(bytes);
        RecurrentNetwork network = module.Network;
        DenseHead head = module.Head!;
        foreach (string name in network.ParameterNames)
        {
            Assert.Equal(file.ReadFloat32("rnn." + name), network.GetParameter(name).ToArray());
        }

        Assert.Equal(file.ReadFloat32("head.weight"), head.Weight.ToArray());
        Assert.Equal(file.Contains("head.bias") ? file.ReadFloat32("head.bias") : [], head.Bias.ToArray());
        Assert.Equal(file.Tensors.Count, network.ParameterNames.Count + (head.HasBias ? 2 : 1) + module.IgnoredTensors.Count);

        NetworkDescription d = network.Description;
        float[] output = new float[d.OutputSize];      // [1, H_out]
        float[] classes = new float[head.OutputSize];  // [1, C]
        network.Forward(network.CreateWorkspace(1, 1), new float[d.InputSize], 1, 1, output);
        head.Apply(output, 1, classes);
    }

    // A module's state_dict: the network under rnn., a head under head., and a BatchNorm's tensors beside them.
    private static byte[] Module(NetworkDescription description, bool headBias)
    {
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, seed: 11);
        var writer = new SafeTensorsWriter();
        foreach ((string name, int[] shape) in description.ParameterShapes())
        {
            writer.Add("rnn." + name, network.GetParameter(name), shape);
        }

        writer.Add("head.weight", new float[3 * description.OutputSize], [3, description.OutputSize]);
        if (headBias)
        {
            writer.Add("head.bias", [0.5f, -0.5f, 0f], [3]);
        }

        writer.Add("bn.running_mean", new float[2], [2]);
        writer.Add("bn.num_batches_tracked", [7L], []);
        return writer.ToArray();
    }
}

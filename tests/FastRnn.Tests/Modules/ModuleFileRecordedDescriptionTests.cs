using System;
using FastRnn.IO;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Modules;

/// <summary>
/// A FastRnn network file loaded through <see cref="ModuleFile"/> at the empty prefix loads as its
/// metadata records it: what shapes cannot show (a GRU's reset form, direction, clip, coupled
/// gates, activations, an RNN's relu) is never replaced by the shapes' default.
/// </summary>
public sealed class ModuleFileRecordedDescriptionTests
{
    public static TheoryData<string> Recorded => ["gru-reset-before", "reverse", "clip", "input-forget", "activations", "rnn-relu"];

    [Theory]
    [MemberData(nameof(Recorded))]
    public void NetworkFileLoadsAsRecorded(string which)
    {
        NetworkDescription d = Describe(which);
        RecurrentNetwork saved = RecurrentNetwork.CreateRandom(d, seed: 5);
        LoadedModule module = ModuleFile.Load(NetworkFileBytes(saved), new ModuleLoadOptions { RnnPrefix = string.Empty });

        Assert.Equal(d, module.Network.Description);
        Assert.Equal(Forward(saved), Forward(module.Network)); // bit for bit
    }

    [Fact]
    public void NonlinearityThatContradictsTheRecordIsRefused()
    {
        RecurrentNetwork saved = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.RnnTanh, 3, 4), seed: 5);
        var e = Assert.Throws<FastRnnFormatException>(
            () => ModuleFile.Load(NetworkFileBytes(saved), new ModuleLoadOptions { RnnPrefix = string.Empty, Nonlinearity = RnnNonlinearity.Relu }));
        Assert.Contains("metadata describes a 1-layer RnnTanh", e.Message, StringComparison.Ordinal);
        Assert.Contains("Nonlinearity Relu", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AgreeingNonlinearityIsAccepted()
    {
        RecurrentNetwork saved = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.RnnRelu, 3, 4), seed: 5);
        LoadedModule module = ModuleFile.Load(NetworkFileBytes(saved), new ModuleLoadOptions { RnnPrefix = string.Empty, Nonlinearity = RnnNonlinearity.Relu });
        Assert.Equal(CellKind.RnnRelu, module.Network.Description.Kind);
    }

    [Fact]
    public void TensorsThatContradictTheRecordAreRefused()
    {
        // Two layers of tensors under metadata that records one.
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Gru, 3, 4) { NumLayers = 2 }, seed: 5);
        SafeTensorsWriter writer = ModuleBytes.Recurrent(network, string.Empty);
        foreach ((string key, string value) in NetworkFile.Metadata(network.Description with { NumLayers = 1 }))
        {
            writer.SetMetadata(key, value);
        }

        var e = Assert.Throws<FastRnnFormatException>(() => ModuleFile.Load(writer.ToArray(), new ModuleLoadOptions { RnnPrefix = string.Empty }));
        Assert.Contains("metadata describes a 1-layer Gru", e.Message, StringComparison.Ordinal);
        Assert.Contains("a 2-layer Gru", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheCallersLayoutStays()
    {
        RecurrentNetwork saved = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, 3, 4) { Reverse = true }, seed: 5);
        LoadedModule module = ModuleFile.Load(NetworkFileBytes(saved), new ModuleLoadOptions { RnnPrefix = string.Empty, BatchFirst = true });
        Assert.Equal(saved.Description with { BatchFirst = true }, module.Network.Description);
    }

    [Fact]
    public void ARecordedBatchFirstLayoutIsKept()
    {
        // A file saved batch-first, loaded with the default options, still takes [B, T, I]: read as
        // time-major, its outputs would be wrong without an error.
        RecurrentNetwork saved = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.RnnRelu, 3, 4) { BatchFirst = true }, seed: 5);
        LoadedModule module = ModuleFile.Load(NetworkFileBytes(saved), new ModuleLoadOptions { RnnPrefix = string.Empty });
        Assert.True(module.Network.Description.BatchFirst);
        Assert.Equal(Forward(saved), Forward(module.Network));
    }

    [Theory]
    [InlineData(WeightFormat.BFloat16)]
    [InlineData(WeightFormat.Int8)]
    public void Bf16AndInt8FilesLoadWithTheValuesTheyStore(WeightFormat stored)
    {
        RecurrentNetwork saved = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, 3, 4), seed: 5).WithWeightFormat(stored);
        byte[] file = NetworkFileBytes(saved);
        RecurrentNetwork asStored = ModuleFile.Load(file, new ModuleLoadOptions { RnnPrefix = string.Empty, WeightFormat = stored }).Network;
        Assert.Equal(stored, asStored.WeightFormat);
        Assert.Equal(Forward(saved), Forward(asStored)); // bit for bit

        // Asked for float32, the stored values are widened exactly (an int8 file used to be refused for its I8 dtype).
        RecurrentNetwork widened = ModuleFile.Load(file, new ModuleLoadOptions { RnnPrefix = string.Empty }).Network;
        Assert.Equal(WeightFormat.Float32, widened.WeightFormat);
        Assert.Equal(asStored.GetParameter("weight_ih_l0").ToArray(), widened.GetParameter("weight_ih_l0").ToArray());
        Assert.Equal(asStored.GetParameter("weight_hh_l0").ToArray(), widened.GetParameter("weight_hh_l0").ToArray());
    }

    [Fact]
    public void PrefixedLayersIgnoreTheTopLevelRecord()
    {
        // The record describes the file's top level; a layer under a prefix is read from its shapes.
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Gru, 3, 4), seed: 5);
        SafeTensorsWriter writer = ModuleBytes.Recurrent(network, "rnn.");
        foreach ((string key, string value) in NetworkFile.Metadata(network.Description with { Variant = CellVariant.ResetBefore }))
        {
            writer.SetMetadata(key, value);
        }

        Assert.Equal(CellVariant.Standard, ModuleFile.Load(writer.ToArray(), new ModuleLoadOptions { RnnPrefix = "rnn." }).Network.Description.Variant);
    }

    private static NetworkDescription Describe(string which) => which switch
    {
        "gru-reset-before" => new NetworkDescription(CellKind.Gru, 3, 4) { Variant = CellVariant.ResetBefore },
        "reverse" => new NetworkDescription(CellKind.Lstm, 3, 4) { Reverse = true },
        "clip" => new NetworkDescription(CellKind.Lstm, 3, 4) { Clip = 0.25f },
        "input-forget" => new NetworkDescription(CellKind.Lstm, 3, 4) { CoupledInputForget = true },
        "activations" => new NetworkDescription(CellKind.Gru, 3, 4).WithActivations(new CellActivations(new Activation(ActivationFunction.HardSigmoid, 0.2f, 0.5f), Activation.Tanh, Activation.Tanh)),
        _ => new NetworkDescription(CellKind.RnnRelu, 3, 4) { NumLayers = 2 },
    };

    private static byte[] NetworkFileBytes(RecurrentNetwork network)
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"fastrnn-recorded-{Guid.NewGuid():N}.safetensors");
        try
        {
            NetworkFile.Save(network, path);
            return System.IO.File.ReadAllBytes(path);
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    private static float[] Forward(RecurrentNetwork network)
    {
        const int Steps = 5, Batch = 2;
        NetworkDescription d = network.Description;
        var x = new float[Steps * Batch * d.InputSize];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (((i * 7) + 3) % 11 - 5) * 0.3f;
        }

        var y = new float[Steps * Batch * d.OutputSize];
        network.Forward(network.CreateWorkspace(Batch, Steps), x, Steps, Batch, y);
        return y;
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using FastRnn.IO;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>Saving and loading networks as safetensors with PyTorch names, and strict refusal of bad files.</summary>
public sealed class NetworkFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fastrnn-netfile-").FullName;

    [Theory]
    [InlineData(CellKind.Lstm, CellVariant.Peephole, 0, true)]
    [InlineData(CellKind.Lstm, CellVariant.Standard, 3, false)]
    [InlineData(CellKind.Gru, CellVariant.ResetBefore, 0, true)]
    [InlineData(CellKind.RnnRelu, CellVariant.Standard, 0, false)]
    public void SaveThenLoadGivesTheSameNetworkAndOutputs(CellKind kind, CellVariant variant, int projection, bool bidirectional)
    {
        var description = new NetworkDescription(kind, 5, 9) { Variant = variant, ProjectionSize = projection, NumLayers = 2, Bidirectional = bidirectional, BatchFirst = true };
        RecurrentNetwork original = RecurrentNetwork.CreateRandom(description, 11);
        string path = Path.Combine(folder, "net.safetensors");
        NetworkFile.Save(original, path);
        RecurrentNetwork loaded = NetworkFile.Load(path);

        Assert.Equal(description, loaded.Description);
        foreach (string name in original.ParameterNames)
        {
            Assert.Equal(original.GetParameter(name).ToArray(), loaded.GetParameter(name).ToArray());
        }

        float[] input = new float[4 * 2 * 5];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = MathF.Sin(i);
        }

        Assert.Equal(NetworkFactory.Forward(original, input, 4, 2, null, null, null).Output, NetworkFactory.Forward(loaded, input, 4, 2, null, null, null).Output);
    }

    [Fact]
    public void MissingExtraMisShapedWrongTypeAndNonFiniteTensorsAreRefusedByName()
    {
        var description = new NetworkDescription(CellKind.Gru, 3, 4);
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, 1);

        AssertRefused(Build(network, skip: "bias_hh_l0"), "bias_hh_l0");
        AssertRefused(Build(network, extra: "weight_ih_l1"), "weight_ih_l1");
        AssertRefused(Build(network, reshape: "weight_hh_l0"), "weight_hh_l0");
        AssertRefused(Build(network, asDouble: "weight_ih_l0"), "weight_ih_l0");
        AssertRefused(Build(network, nanIn: "bias_ih_l0"), "bias_ih_l0");
        AssertRefused(Build(network, metadataHidden: "5"), "weight_ih_l0");
        AssertRefused(Build(network, metadataHidden: "x"), "hidden_size");
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static void AssertRefused(byte[] file, string mention)
    {
        var ex = Assert.Throws<FastRnnFormatException>(() => NetworkFile.FromSafeTensors(SafeTensorsFile.Parse(file, "test.safetensors")));
        Assert.Contains(mention, ex.Message, StringComparison.Ordinal);
    }

    private static byte[] Build(RecurrentNetwork network, string? skip = null, string? extra = null, string? reshape = null, string? asDouble = null, string? nanIn = null, string? metadataHidden = null)
    {
        var writer = new SafeTensorsWriter();
        foreach ((string key, string value) in NetworkFile.Metadata(network.Description))
        {
            writer.SetMetadata(key, key == "hidden_size" && metadataHidden is not null ? metadataHidden : value);
        }

        foreach ((string name, int[] shape) in network.Description.ParameterShapes())
        {
            float[] data = network.GetParameter(name).ToArray();
            if (name == skip)
            {
                continue;
            }

            if (name == nanIn)
            {
                data[1] = float.NaN;
            }

            if (name == asDouble)
            {
                writer.Add(name, Array.ConvertAll(data, v => (double)v), shape);
            }
            else if (name == reshape)
            {
                writer.Add(name, data, [shape[1], shape[0]]);
            }
            else
            {
                writer.Add(name, data, shape);
            }
        }

        if (extra is not null)
        {
            writer.Add(extra, new float[2], [2]);
        }

        return writer.ToArray();
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using FastRnn.IO;
using FastRnn.Kernels;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// An int8 network whose largest weight is near float.MaxValue: its row scale times 127 must stay a
/// finite float, or the file <see cref="NetworkFile.Save"/> writes (q and the scale) reads back as an
/// infinite weight, which <see cref="NetworkFile.Load(string)"/> refuses.
/// </summary>
public sealed class Int8LargestWeightSaveTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fastrnn-int8-largest-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData(float.MaxValue)]
    [InlineData(-float.MaxValue)]
    public void ANetworkHoldingTheLargestFloatSavesAndLoadsWithTheSameOutputs(float largest)
    {
        var d = new NetworkDescription(CellKind.Gru, 3, 4);
        RecurrentNetwork source = RecurrentNetwork.CreateRandom(d, 3);
        var parameters = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (string name in source.ParameterNames)
        {
            parameters[name] = source.GetParameter(name).ToArray();
        }

        parameters["weight_ih_l0"][7] = largest;
        RecurrentNetwork network = RecurrentNetwork.Create(d, parameters, WeightFormat.Int8);
        string path = Path.Combine(folder, "int8.safetensors");
        NetworkFile.Save(network, path);
        RecurrentNetwork loaded = NetworkFile.Load(path);
        float[] row = new float[3];
        network.Cells[0].Input.ReadRow(2, row);
        Assert.True(float.IsFinite(row[1]), $"the stored weight is {row[1]}");
        float[] input = new float[4 * 2 * 3];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = MathF.Sin(i) * 1e-36f;
        }

        Assert.Equal(NetworkFactory.Forward(network, input, 4, 2, null, null, null).Output, NetworkFactory.Forward(loaded, input, 4, 2, null, null, null).Output);
    }
}

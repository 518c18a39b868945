using System;
using System.IO;
using FastRnn.IO;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// <see cref="NetworkFile.Save"/> writes only files that <see cref="NetworkFile.Load(string)"/> reads:
/// a network whose weights are not finite (a training run that diverged) is refused before anything is
/// written, naming the tensor and index, so the model file it would replace stays as it was.
/// </summary>
public sealed class NetworkFileNonFiniteSaveTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fastrnn-nonfinite-save-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData(WeightFormat.Float32, "weight_hh_l0", float.NaN)]
    [InlineData(WeightFormat.BFloat16, "weight_hh_l0", float.PositiveInfinity)]
    [InlineData(WeightFormat.Int8, "weight_ih_l0", float.NaN)]
    [InlineData(WeightFormat.Float32, "bias_ih_l0", float.NegativeInfinity)]
    public void ADivergedNetworkIsRefusedAndTheFileItWouldReplaceStaysLoadable(WeightFormat format, string tensor, float bad)
    {
        string path = Path.Combine(folder, "model.safetensors");
        RecurrentNetwork good = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, 3, 4), 1).WithWeightFormat(format);
        NetworkFile.Save(good, path);
        byte[] before = File.ReadAllBytes(path);

        // What an optimizer step that diverged leaves behind (as NonFiniteTests does it).
        RecurrentNetwork diverged = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, 3, 4), 2).WithWeightFormat(format);
        diverged.MutableParameter(tensor)[5] = bad;
        diverged.MarkValuesChanged();
        diverged.Repack();

        var e = Assert.Throws<ArgumentException>(() => NetworkFile.Save(diverged, path));
        Assert.Contains($"'{tensor}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("index 5", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(good.Description, NetworkFile.Load(path).Description);
    }

    [Fact]
    public void AFiniteWeightThatBFloat16RoundsToInfinityIsRefusedRatherThanSavedAsAFileLoadRefuses()
    {
        var d = new NetworkDescription(CellKind.Gru, 3, 4);
        RecurrentNetwork source = RecurrentNetwork.CreateRandom(d, 3);
        var parameters = new System.Collections.Generic.Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (string name in source.ParameterNames)
        {
            parameters[name] = source.GetParameter(name).ToArray();
        }

        parameters["weight_ih_l0"][7] = float.MaxValue; // finite, but above bfloat16's largest finite value
        RecurrentNetwork network = RecurrentNetwork.Create(d, parameters, WeightFormat.BFloat16);
        string path = Path.Combine(folder, "bf16.safetensors");

        var e = Assert.Throws<ArgumentException>(() => NetworkFile.Save(network, path));
        Assert.Contains("'weight_ih_l0'", e.Message, StringComparison.Ordinal);
        Assert.Contains("index 7", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }
}

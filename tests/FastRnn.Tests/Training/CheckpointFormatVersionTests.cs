using System;
using System.IO;
using FastRnn.IO;
using FastRnn.Training;
using FastRnn.Training.Optimizers;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>
/// A checkpoint of another format version (a later FastRnn's) is refused with a message that names
/// the version found and the one this build reads, not as "not a checkpoint"; a checkpoint without
/// optimizer state loaded with an optimizer says so, rather than naming a missing tensor.
/// </summary>
public sealed class CheckpointFormatVersionTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fastrnn-ckptver-").FullName;

    [Theory]
    [InlineData("2")]
    [InlineData("")]
    public void AnotherFormatVersionIsRefusedNamingBothVersions(string version)
    {
        Parameter[] saved = Parameters(1f);
        string path = Path.Combine(folder, "model.safetensors");
        Checkpoint.Save(path, saved);
        string future = WithFormatVersion(path, version);

        Parameter[] target = Parameters(5f);
        var e = Assert.Throws<FastRnnFormatException>(() => Checkpoint.Load(future, target));
        Assert.Contains($"format version '{version}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("reads version 1", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("no 'fastrnn_checkpoint' metadata", e.Message, StringComparison.Ordinal);
        Assert.Equal([5f, 5f, 5f], target[0].Value);
    }

    [Fact]
    public void ACheckpointWithoutOptimizerStateLoadedWithAnOptimizerSaysSo()
    {
        Parameter[] saved = Parameters(1f);
        string path = Path.Combine(folder, "weights-only.safetensors");
        Checkpoint.Save(path, saved);

        Parameter[] target = Parameters(5f);
        var adam = new Adam(target, learningRate: 0.25f);
        var e = Assert.Throws<FastRnnFormatException>(() => Checkpoint.Load(path, target, adam));
        Assert.Contains("holds no optimizer state", e.Message, StringComparison.Ordinal);
        Assert.Contains("optimizer: null", e.Message, StringComparison.Ordinal);
        Assert.Equal([5f, 5f, 5f], target[0].Value);
        Assert.Equal((0.25f, 0L), (adam.LearningRate, adam.StepCount));

        // Without the optimizer the same file loads.
        Checkpoint.Load(path, target);
        Assert.Equal([1f, 1f, 1f], target[0].Value);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static Parameter[] Parameters(float value) => [new Parameter("w", [3], [value, value, value], new float[3])];

    private string WithFormatVersion(string path, string version)
    {
        SafeTensorsFile file = SafeTensorsFile.Read(path);
        var writer = new SafeTensorsWriter();
        foreach ((string key, string v) in file.Metadata)
        {
            writer.SetMetadata(key, key == Checkpoint.FormatKey ? version : v);
        }

        foreach (SafeTensorsEntry entry in file.Tensors)
        {
            writer.Add(entry.Name, file.ReadFloat32(entry.Name), [.. entry.Shape]);
        }

        string changed = Path.Combine(folder, "version.safetensors");
        writer.Save(changed);
        return changed;
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using FastRnn.Cli.Tasks;
using FastRnn.IO;
using FastRnn.Networks;
using FastRnn.Training;
using FastRnn.Training.Models;
using Xunit;

namespace FastRnn.Tests.Cli;

/// <summary>
/// <c>fastrnn generate</c> reads its checkpoint itself (once, so a pipe works); it refuses NaN and ±Inf
/// weights as <see cref="Checkpoint.Load"/> does, naming the tensor and the index, instead of sampling
/// from NaN logits (every character came out as the last of the alphabet, with exit code 0).
/// </summary>
[Collection(ConsoleCapture.Name)]
public sealed class GenerateRefusesNonFiniteWeightsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fastrnn-cli-gen-").FullName;

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    public void ANonFiniteWeightIsRefusedNamingTheTensor(float value, string shown)
    {
        SequenceModel model = CharLmTask.Create(CellKind.Gru, 8, seed: 1);
        string saved = Path.Combine(folder, "lm.safetensors");
        Checkpoint.Save(saved, model.Parameters, new Dictionary<string, string> { ["task"] = CharLmTask.Name, ["cell"] = "Gru", ["hidden"] = "8", ["alphabet"] = CharLmTask.Alphabet });

        SafeTensorsFile file = SafeTensorsFile.Read(saved);
        var writer = new SafeTensorsWriter();
        foreach ((string key, string v) in file.Metadata)
        {
            writer.SetMetadata(key, v);
        }

        foreach (SafeTensorsEntry entry in file.Tensors)
        {
            float[] values = file.ReadFloat32(entry.Name);
            if (entry.Name == "head.bias")
            {
                values[3] = value;
            }

            writer.Add(entry.Name, values, [.. entry.Shape]);
        }

        string broken = Path.Combine(folder, "broken.safetensors");
        writer.Save(broken);

        (int exit, string output, string error) = ConsoleCapture.Run(["generate", broken, "--count", "20"]);

        Assert.Equal(1, exit);
        Assert.Contains("tensor 'head.bias' holds " + shown + " at index 3", error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, output);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}

using System;
using System.Collections.Generic;
using System.IO;
using FastRnn.IO;
using FastRnn.Networks;
using FastRnn.Training;
using FastRnn.Training.Heads;
using FastRnn.Training.Optimizers;

namespace FastRnn.Tests.Reliability.Fuzzing;

/// <summary>Small valid files of every kind the project reads: network files, checkpoints (cases are the conformance files).</summary>
internal static class FuzzSeeds
{
    /// <summary>A network file as <see cref="NetworkFile.Save"/> writes it (metadata and PyTorch names).</summary>
    public static byte[] NetworkFile(CellKind kind = CellKind.Lstm) =>
        NetworkFile(new NetworkDescription(kind, 2, 3) { NumLayers = 2 });

    /// <summary>A network file of a random network with the given description.</summary>
    public static byte[] NetworkFile(NetworkDescription description)
    {
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, seed: 7);
        var writer = new SafeTensorsWriter();
        foreach ((string key, string value) in FastRnn.IO.NetworkFile.Metadata(network.Description))
        {
            writer.SetMetadata(key, value);
        }

        foreach ((string name, int[] shape) in network.Description.ParameterShapes())
        {
            writer.Add(name, network.GetParameter(name), shape);
        }

        return writer.ToArray();
    }

    /// <summary>The parameters and optimizer a checkpoint seed is saved from and loaded into.</summary>
    public static (IReadOnlyList<Parameter> Parameters, Adam Optimizer) CheckpointModel()
    {
        var head = new DenseLayer("head", 3, 2, seed: 5);
        Parameter[] parameters = [head.Weight, head.Bias];
        var optimizer = new Adam(parameters, learningRate: 0.01f);
        return (parameters, optimizer);
    }

    /// <summary>A checkpoint with metadata, two parameters and Adam's state after one step.</summary>
    public static byte[] Checkpoint()
    {
        (IReadOnlyList<Parameter> parameters, Adam optimizer) = CheckpointModel();
        parameters[0].Gradient.AsSpan().Fill(0.5f);
        optimizer.Step();
        string path = Path.Combine(Path.GetTempPath(), $"fastrnn-seed-{Guid.NewGuid():N}.safetensors");
        try
        {
            FastRnn.Training.Checkpoint.Save(path, parameters, new Dictionary<string, string> { ["task"] = "fuzz" }, optimizer);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

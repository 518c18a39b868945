using System;
using System.Collections.Generic;
using System.IO;
using FastRnn.IO;
using FastRnn.Training;
using FastRnn.Training.Optimizers;
using Xunit;

namespace FastRnn.Tests.Reliability.Fuzzing;

/// <summary>
/// <see cref="Checkpoint.Load"/> from a file: an accepted file's tensors land in the parameters and
/// optimizer; a rejected one leaves both exactly as they were.
/// </summary>
internal sealed class CheckpointTarget : ReaderTarget
{
    private readonly string path = Path.Combine(Path.GetTempPath(), $"fastrnn-fuzz-{Guid.NewGuid():N}.safetensors");
    private readonly IReadOnlyList<Parameter> parameters;
    private readonly Adam optimizer;
    private readonly float[][] original;

    public CheckpointTarget()
    {
        (parameters, optimizer) = FuzzSeeds.CheckpointModel();
        original = [.. Snapshot()];
    }

    public override string Name => "checkpoint";

    public override byte[][] Seeds { get; } = [FuzzSeeds.Checkpoint()];

    public override void Prepare(byte[] bytes)
    {
        // Every run starts from the same model, so "unchanged after a rejection" means something.
        List<float[]> now = Snapshot();
        for (int i = 0; i < now.Count; i++)
        {
            original[i].CopyTo(Target(i), 0);
        }

        optimizer.RestoreStepCount(0);
        File.WriteAllBytes(path, bytes);
    }

    public override object Load(byte[] bytes) => Checkpoint.Load(path, parameters, optimizer);

    public override void VerifyAccepted(byte[] bytes, object loaded)
    {
        SafeTensorsFile file = SafeTensorsFile.Parse(bytes);
        foreach (Parameter p in parameters)
        {
            Assert.Equal(file.ReadFloat32(p.Name), p.Value);
        }

        foreach ((string name, float[] values) in optimizer.State())
        {
            Assert.Equal(file.ReadFloat32("optimizer." + name), values);
        }
    }

    public override void VerifyRejected()
    {
        List<float[]> now = Snapshot();
        for (int i = 0; i < now.Count; i++)
        {
            Assert.Equal(original[i], now[i]);
        }
    }

    /// <summary>Deletes the scratch file.</summary>
    public void Cleanup() => File.Delete(path);

    private float[] Target(int index) =>
        index < parameters.Count ? parameters[index].Value : optimizer.State()[index - parameters.Count].Values;

    private List<float[]> Snapshot()
    {
        var values = new List<float[]>();
        foreach (Parameter p in parameters)
        {
            values.Add((float[])p.Value.Clone());
        }

        foreach ((string _, float[] state) in optimizer.State())
        {
            values.Add((float[])state.Clone());
        }

        return values;
    }
}

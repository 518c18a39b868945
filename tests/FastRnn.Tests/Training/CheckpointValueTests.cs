using System;
using System.Collections.Generic;
using System.IO;
using FastRnn.IO;
using FastRnn.Networks;
using FastRnn.Training;
using FastRnn.Training.Optimizers;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>
/// What a checkpoint may hold: Save refuses what Load would refuse (non-finite values, its own
/// metadata keys), and Load refuses optimizer state that would turn the next step's weights to NaN.
/// </summary>
public sealed class CheckpointValueTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fastrnn-ckptv-").FullName;

    [Fact]
    public void ANonFiniteParameterIsRefusedAtSaveAndNothingIsWritten()
    {
        Parameter[] parameters = Parameters();
        parameters[1].Value[2] = float.NaN;
        string path = Path.Combine(folder, "diverged.safetensors");
        var e = Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, parameters));
        Assert.Contains("'b' holds NaN at index 2", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Theory]
    [InlineData(Checkpoint.FormatKey)]
    [InlineData("optimizer_steps")]
    [InlineData("optimizer_lr")]
    public void TheCheckpointsOwnMetadataKeysAreRefusedAtSave(string key)
    {
        string path = Path.Combine(folder, "keys.safetensors");
        var e = Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, Parameters(), new Dictionary<string, string> { [key] = "2" }));
        Assert.Contains($"'{key}' is the checkpoint's own", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void OptimizerHyperparametersComeBackAndAnotherTypeIsRefused()
    {
        Parameter[] saved = Parameters();
        var adam = new Adam(saved, learningRate: 0.01f, beta1: 0.8f, beta2: 0.98f, epsilon: 1e-7f, weightDecay: 0.01f, decoupled: true) { LearningRate = 0.0005f };
        string path = Path.Combine(folder, "adam-settings.safetensors");
        Checkpoint.Save(path, saved, optimizer: adam);
        Parameter[] target = Parameters(seed: 2);
        var restored = new Adam(target);
        Checkpoint.Load(path, target, restored);
        Assert.Equal((0.0005f, 0.8f, 0.98f, 1e-7f, 0.01f, true), (restored.LearningRate, restored.Beta1, restored.Beta2, restored.Epsilon, restored.WeightDecay, restored.Decoupled));

        var sgd = new SgdMomentum(saved, learningRate: 0.1f, momentum: 0.5f, weightDecay: 0.25f) { LearningRate = 0.03f };
        string sgdPath = Path.Combine(folder, "sgd-settings.safetensors");
        Checkpoint.Save(sgdPath, saved, optimizer: sgd);
        var restoredSgd = new SgdMomentum(target, learningRate: 1f);
        Checkpoint.Load(sgdPath, target, restoredSgd);
        Assert.Equal((0.03f, 0.5f, 0.25f), (restoredSgd.LearningRate, restoredSgd.Momentum, restoredSgd.WeightDecay));

        float[] before = (float[])target[0].Value.Clone();
        var e = Assert.Throws<FastRnnFormatException>(() => Checkpoint.Load(path, target, new SgdMomentum(target, learningRate: 1f)));
        Assert.Contains("holds optimizer state of type Adam, not SgdMomentum", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, target[0].Value);

        string bad = Rewrite(path, metadataKey: "optimizer_beta2", metadataValue: "1");
        e = Assert.Throws<FastRnnFormatException>(() => Checkpoint.Load(bad, target, new Adam(target)));
        Assert.Contains("betas in [0, 1) (got 0.8, 1)", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, target[0].Value);
    }

    [Fact]
    public void ANegativeSecondMomentIsRefusedAndLeavesTheModelUnchanged()
    {
        Parameter[] saved = Parameters();
        var adam = new Adam(saved);
        string path = Path.Combine(folder, "adam.safetensors");
        Checkpoint.Save(path, saved, optimizer: adam);
        string flipped = Rewrite(path, "optimizer.exp_avg_sq.w", index: 1, value: -0.5f);

        Parameter[] target = Parameters(seed: 2);
        float[] before = (float[])target[0].Value.Clone();
        var e = Assert.Throws<FastRnnFormatException>(() => Checkpoint.Load(flipped, target, new Adam(target)));
        Assert.Contains("'optimizer.exp_avg_sq.w' holds -0.5 at index 1; second moments cannot be negative", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, target[0].Value);
    }

    [Fact]
    public void AStepCountBeyondTwoToThe53IsRefused()
    {
        Parameter[] saved = Parameters();
        string path = Path.Combine(folder, "steps.safetensors");
        Checkpoint.Save(path, saved, optimizer: new Adam(saved));
        string huge = Rewrite(path, metadataKey: "optimizer_steps", metadataValue: long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Parameter[] target = Parameters(seed: 2);
        var e = Assert.Throws<FastRnnFormatException>(() => Checkpoint.Load(huge, target, new Adam(target)));
        Assert.Contains("optimizer_steps = 9223372036854775807 is more than 9007199254740992", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABatchWithBothKindsOfTargetsIsRefused()
    {
        // Not a checkpoint matter, but the same rule: a training input that is ambiguous is refused, not guessed.
        var model = new FastRnn.Training.Models.SequenceModel(
            new FastRnn.Training.Models.SequenceModelOptions { Network = new NetworkDescription(CellKind.Gru, 4, 5), Vocabulary = 7, OutputSize = 7, Seed = 1 }, 2, 3);
        var e = Assert.Throws<ArgumentException>(() => model.ForwardBackward(
            new FastRnn.Training.Models.SequenceBatch { Steps = 3, Batch = 2, Tokens = [1, 2, 3, 4, 5, 6], TargetClasses = [2, 3, 4, 5, 6, 0], TargetValues = new float[42] }));
        Assert.Contains("both class targets (6) and target values (42)", e.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static Parameter[] Parameters(int seed = 1)
    {
        var random = new Random(seed);
        float[] w = new float[6], b = new float[3];
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = (float)random.NextDouble();
        }

        return [new Parameter("w", [2, 3], w, new float[6]), new Parameter("b", [3], b, new float[3])];
    }

    // The checkpoint with one value of one tensor, or one metadata entry, changed.
    private string Rewrite(string path, string? tensor = null, int index = 0, float value = 0, string? metadataKey = null, string? metadataValue = null)
    {
        SafeTensorsFile file = SafeTensorsFile.Read(path);
        var writer = new SafeTensorsWriter();
        foreach ((string key, string v) in file.Metadata)
        {
            writer.SetMetadata(key, key == metadataKey ? metadataValue! : v);
        }

        foreach (SafeTensorsEntry entry in file.Tensors)
        {
            float[] values = file.ReadFloat32(entry.Name);
            if (entry.Name == tensor)
            {
                values[index] = value;
            }

            writer.Add(entry.Name, values, [.. entry.Shape]);
        }

        string changed = Path.Combine(folder, "changed.safetensors");
        writer.Save(changed);
        return changed;
    }
}

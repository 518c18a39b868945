using System;
using System.IO;
using FastRnn.Networks;
using FastRnn.Training;
using FastRnn.Training.Models;
using FastRnn.Training.Optimizers;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>Whole-model checkpoints: round trips, optimizer state, and refusal of bad files.</summary>
public sealed class CheckpointTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fastrnn-ckpt-").FullName;

    [Fact]
    public void SavedModelsReloadAndGiveTheSameOutputs()
    {
        SequenceModel trained = Model(seed: 1);
        var optimizer = new Adam(trained.Parameters, learningRate: 0.01f);
        int[] tokens = [1, 2, 3, 4, 5, 6];
        int[] targets = [2, 3, 4, 5, 6, 0];
        for (int i = 0; i < 3; i++)
        {
            optimizer.ZeroGradients();
            trained.ForwardBackward(new SequenceBatch { Steps = 3, Batch = 2, Tokens = tokens, TargetClasses = targets });
            optimizer.Step();
            trained.ParametersUpdated();
        }

        string path = Path.Combine(folder, "model.safetensors");
        Checkpoint.Save(path, trained.Parameters, new System.Collections.Generic.Dictionary<string, string> { ["task"] = "test" }, optimizer);

        SequenceModel loaded = Model(seed: 99);
        var restored = new Adam(loaded.Parameters, learningRate: 0.01f);
        var metadata = Checkpoint.Load(path, loaded.Parameters, restored);
        loaded.ParametersUpdated();
        Assert.Equal("test", metadata["task"]);
        Assert.Equal(optimizer.StepCount, restored.StepCount);

        float[] a = new float[6 * 7], b = new float[6 * 7];
        trained.Evaluate(new SequenceBatch { Steps = 3, Batch = 2, Tokens = tokens }, a);
        loaded.Evaluate(new SequenceBatch { Steps = 3, Batch = 2, Tokens = tokens }, b);
        Assert.Equal(a, b);
        for (int i = 0; i < optimizer.State().Count; i++)
        {
            Assert.Equal(optimizer.State()[i].Values, restored.State()[i].Values);
        }
    }

    [Fact]
    public void TruncatedForeignAndMismatchedFilesAreRefusedAndLeaveTheModelUnchanged()
    {
        SequenceModel model = Model(seed: 1);
        string path = Path.Combine(folder, "model.safetensors");
        Checkpoint.Save(path, model.Parameters);
        byte[] bytes = File.ReadAllBytes(path);

        SequenceModel other = Model(seed: 2);
        float[] before = (float[])other.Parameters[1].Value.Clone();

        string truncated = Path.Combine(folder, "truncated.safetensors");
        File.WriteAllBytes(truncated, bytes.AsSpan(0, bytes.Length - 9).ToArray());
        Assert.Throws<FastRnnFormatException>(() => Checkpoint.Load(truncated, other.Parameters));

        string foreign = Path.Combine(folder, "foreign.safetensors");
        FastRnn.IO.NetworkFile.Save(other.Network, foreign);
        var ex = Assert.Throws<FastRnnFormatException>(() => Checkpoint.Load(foreign, other.Parameters));
        Assert.Contains("not a FastRnn checkpoint", ex.Message, StringComparison.Ordinal);

        SequenceModel bigger = new(new SequenceModelOptions { Network = new NetworkDescription(CellKind.Gru, 4, 6), Vocabulary = 7, OutputSize = 7, Seed = 3 }, 2, 3);
        ex = Assert.Throws<FastRnnFormatException>(() => Checkpoint.Load(path, bigger.Parameters));
        Assert.Contains("rnn.weight_ih_l0", ex.Message, StringComparison.Ordinal);

        Assert.Equal(before, other.Parameters[1].Value);
    }

    [Fact]
    public void ALoadTakesEffectWithoutParametersUpdated()
    {
        int[] tokens = [1, 2, 3, 4, 5, 6];
        int[] targets = [2, 3, 4, 5, 6, 0];
        var batch = new SequenceBatch { Steps = 3, Batch = 2, Tokens = tokens, TargetClasses = targets };
        SequenceModel saved = Model(seed: 1);
        string path = Path.Combine(folder, "model.safetensors");
        Checkpoint.Save(path, saved.Parameters);
        SequenceModel loaded = Model(seed: 7);
        float[] before = new float[6 * 7];
        loaded.Evaluate(batch, before);
        Checkpoint.Load(path, loaded.Parameters);
        float[] expected = new float[6 * 7], actual = new float[6 * 7];
        saved.Evaluate(batch, expected);
        loaded.Evaluate(batch, actual);
        Assert.NotEqual(expected, before);
        Assert.Equal(expected, actual);
        Assert.Equal(saved.ForwardBackward(batch), loaded.ForwardBackward(batch));

        var options = new Seq2SeqModelOptions { Cell = CellKind.Lstm, SourceVocabulary = 5, TargetVocabulary = 6, Embedding = 3, Hidden = 4, BeginToken = 0, MaxBatch = 2, MaxSourceSteps = 3, MaxTargetSteps = 3 };
        var savedSeq = new Seq2SeqModel(options with { Seed = 1 });
        string seqPath = Path.Combine(folder, "seq2seq.safetensors");
        Checkpoint.Save(seqPath, savedSeq.Parameters);
        var loadedSeq = new Seq2SeqModel(options with { Seed = 2 });
        int[] source = [1, 2, 3, 4, 0, 1], target = [1, 2, 3, 4, 5, 1];
        float lossBefore = loadedSeq.ForwardBackward(source, 3, target, 3, 2);
        Checkpoint.Load(seqPath, loadedSeq.Parameters);
        float lossAfter = loadedSeq.ForwardBackward(source, 3, target, 3, 2);
        Assert.NotEqual(lossBefore, lossAfter);
        Assert.Equal(savedSeq.ForwardBackward(source, 3, target, 3, 2), lossAfter);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static SequenceModel Model(int seed) => new(
        new SequenceModelOptions { Network = new NetworkDescription(CellKind.Gru, 4, 5), Vocabulary = 7, OutputSize = 7, Seed = seed },
        2,
        3);
}

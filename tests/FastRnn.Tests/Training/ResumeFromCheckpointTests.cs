using System;
using System.Collections.Generic;
using System.IO;
using FastRnn.Networks;
using FastRnn.Training;
using FastRnn.Training.Models;
using FastRnn.Training.Optimizers;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>
/// Training N epochs, saving, loading into a model and optimizer built afresh (other seeds, other
/// hyperparameters) and training M more gives the weights of N + M epochs without a stop, bit for bit:
/// moments, momentum buffers, the step count (Adam's bias corrections, SGD's first step, a schedule
/// read from it) and the hyperparameters all come back. What a checkpoint does not hold (dropout
/// generators, the trainer's shuffles) is documented on <see cref="Checkpoint"/>, and shown here.
/// </summary>
public sealed class ResumeFromCheckpointTests : IDisposable
{
    private const int Examples = 10, Steps = 5, Inputs = 3, Outputs = 2, BatchSize = 4;

    private readonly string folder = Directory.CreateTempSubdirectory("fastrnn-resume-").FullName;
    private readonly float[] features = Random(1, Examples * Steps * Inputs);
    private readonly float[] targets = Random(2, Examples * Steps * Outputs);

    [Theory]
    [InlineData("adam")]
    [InlineData("adamw")]
    [InlineData("sgd")]
    public void TrainingResumedFromACheckpointGivesTheWeightsOfAnUninterruptedRun(string kind)
    {
        SequenceModel straight = Model(seed: 1, dropout: 0f);
        Optimizer straightOptimizer = CreateOptimizer(kind, straight.Parameters, fresh: false);
        Train(straight, straightOptimizer, epochs: 5, shuffle: false);

        SequenceModel first = Model(seed: 1, dropout: 0f);
        Optimizer firstOptimizer = CreateOptimizer(kind, first.Parameters, fresh: false);
        Train(first, firstOptimizer, epochs: 2, shuffle: false);
        string path = Path.Combine(folder, kind + ".safetensors");
        Checkpoint.Save(path, first.Parameters, optimizer: firstOptimizer);

        SequenceModel resumed = Model(seed: 77, dropout: 0f);
        Optimizer resumedOptimizer = CreateOptimizer(kind, resumed.Parameters, fresh: true);
        Checkpoint.Load(path, resumed.Parameters, resumedOptimizer);
        Assert.Equal(firstOptimizer.StepCount, resumedOptimizer.StepCount);
        Train(resumed, resumedOptimizer, epochs: 3, shuffle: false);

        Assert.Equal(straightOptimizer.StepCount, resumedOptimizer.StepCount);
        for (int i = 0; i < straight.Parameters.Count; i++)
        {
            Assert.Equal(straight.Parameters[i].Name, resumed.Parameters[i].Name);
            Assert.Equal(straight.Parameters[i].Value, resumed.Parameters[i].Value);
        }
    }

    [Fact]
    public void AModelBuiltAgainDrawsItsFirstDropoutMasksAgainAsTheCheckpointDocsSay()
    {
        // The documented limit: the dropout generators are not in the checkpoint, so a resumed run
        // with dropout is a valid run but not the uninterrupted one.
        SequenceModel straight = Model(seed: 1, dropout: 0.3f);
        var straightOptimizer = new Adam(straight.Parameters, learningRate: 0.01f);
        Train(straight, straightOptimizer, epochs: 2, shuffle: false);

        SequenceModel first = Model(seed: 1, dropout: 0.3f);
        var firstOptimizer = new Adam(first.Parameters, learningRate: 0.01f);
        Train(first, firstOptimizer, epochs: 1, shuffle: false);
        string path = Path.Combine(folder, "dropout.safetensors");
        Checkpoint.Save(path, first.Parameters, optimizer: firstOptimizer);
        SequenceModel resumed = Model(seed: 1, dropout: 0.3f);
        var resumedOptimizer = new Adam(resumed.Parameters);
        Checkpoint.Load(path, resumed.Parameters, resumedOptimizer);
        Train(resumed, resumedOptimizer, epochs: 1, shuffle: false);

        Assert.NotEqual(straight.Parameters[1].Value, resumed.Parameters[1].Value);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static SequenceModel Model(int seed, float dropout) => new(
        new SequenceModelOptions
        {
            Network = new NetworkDescription(CellKind.Lstm, Inputs, 6) { NumLayers = 2 },
            OutputSize = Outputs,
            InputDropout = dropout,
            LayerDropout = dropout,
            OutputDropout = dropout,
            Seed = seed,
        },
        BatchSize,
        Steps);

    // The saved run's optimizer, or (fresh) one with other hyperparameters that the checkpoint must replace.
    private static Optimizer CreateOptimizer(string kind, IReadOnlyList<Parameter> parameters, bool fresh) => kind switch
    {
        "adam" => fresh ? new Adam(parameters, learningRate: 0.5f, beta1: 0.5f) : new Adam(parameters, learningRate: 0.02f),
        "adamw" => fresh ? new Adam(parameters) : new Adam(parameters, learningRate: 0.02f, beta2: 0.99f, weightDecay: 0.1f, decoupled: true),
        _ => fresh ? new SgdMomentum(parameters, learningRate: 1f, momentum: 0f) : new SgdMomentum(parameters, learningRate: 0.05f, momentum: 0.8f, weightDecay: 0.01f),
    };

    // Epochs of the trainer, with a learning-rate schedule read from the optimizer's step count.
    private void Train(SequenceModel model, Optimizer optimizer, int epochs, bool shuffle)
    {
        float[] x = new float[Steps * BatchSize * Inputs], y = new float[Steps * BatchSize * Outputs];
        Trainer.Run(Examples, new TrainerOptions { Epochs = epochs, BatchSize = BatchSize, ValidationFraction = 0, Shuffle = shuffle, Seed = 3 }, (indices, count) =>
        {
            // Time-major [T, B, *] from the examples' [T, *] rows.
            for (int t = 0; t < Steps; t++)
            {
                for (int b = 0; b < count; b++)
                {
                    features.AsSpan(((indices[b] * Steps) + t) * Inputs, Inputs).CopyTo(x.AsSpan(((t * count) + b) * Inputs));
                    targets.AsSpan(((indices[b] * Steps) + t) * Outputs, Outputs).CopyTo(y.AsSpan(((t * count) + b) * Outputs));
                }
            }

            optimizer.ZeroGradients();
            float loss = model.ForwardBackward(new SequenceBatch { Steps = Steps, Batch = count, Features = x.AsSpan(0, Steps * count * Inputs), TargetValues = y.AsSpan(0, Steps * count * Outputs) });
            if (optimizer.StepCount == 4)
            {
                optimizer.LearningRate /= 2; // a step schedule, by position
            }

            optimizer.Step();
            return loss;
        });
    }

    private static float[] Random(int seed, int count)
    {
        var random = new Random(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }
}

using System;
using System.IO;
using FastRnn.Networks;
using FastRnn.Tests.Reliability;
using FastRnn.Training;
using FastRnn.Training.Losses;
using FastRnn.Training.Models;
using FastRnn.Training.Optimizers;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>
/// Misuse of the training API: each call is refused before it changes anything, naming the argument
/// and the expected and actual values, or (a loss computed in place) gives the right result.
/// </summary>
public sealed class TrainingRefusalTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fastrnn-training-refusals-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void CrossEntropyInPlaceGivesTheSameLossAndGradientOrIsRefused()
    {
        float[] logits = [1f, 2f, 3f, 0.5f, -1f, 2f];
        int[] targets = [0, 2];
        float[] d = new float[6];
        float expected = SoftmaxCrossEntropy.Compute(logits, targets, 3, d);

        // dLogits = logits: the gradient overwrites the logits, the loss must not read what was written.
        float[] inPlace = (float[])logits.Clone();
        float actual = SoftmaxCrossEntropy.Compute(inPlace, targets, 3, inPlace);
        Assert.Equal(expected, actual);
        Assert.Equal(d, inPlace);

        // A gradient shifted over the logits by one row would read rows already written: refused.
        float[] shared = new float[9];
        float[] untouched = (float[])shared.Clone();
        Misuse.Refused(() => SoftmaxCrossEntropy.Compute(shared.AsSpan(3, 6), targets, 3, shared.AsSpan(0, 6)), "logits (6 floats) and dLogits (6 floats) overlap");
        Assert.Equal(untouched, shared);
    }

    [Fact]
    public void EvaluateWithWrongTargetsLeavesThePredictionsAndTheFinalStateUntouched()
    {
        var model = new SequenceModel(new SequenceModelOptions { Network = new NetworkDescription(CellKind.Gru, 2, 3), OutputSize = 2 }, 2, 3);
        float[] features = new float[12];
        Array.Fill(features, 0.5f);
        model.Evaluate(new SequenceBatch { Steps = 3, Batch = 2, Features = features });
        float[] hidden = model.FinalHidden.ToArray();
        float[] predictions = Misuse.Sentinels(12);
        Misuse.Refused(() => model.Evaluate(new SequenceBatch { Steps = 3, Batch = 2, Features = new float[12], TargetValues = new float[11] }, predictions), "Expected 12 target values, got 11");
        Misuse.Refused<ArgumentOutOfRangeException>(() => model.Evaluate(new SequenceBatch { Steps = 3, Batch = 2, Features = new float[12], TargetClasses = [0, 1, 2, 0, 1, 0] }, predictions), "[2] = 2 is neither a class id in 0..1 nor -1");
        Misuse.Untouched(predictions);
        Assert.Equal(hidden, model.FinalHidden.ToArray());
    }

    [Fact]
    public void ForwardBackwardWithWrongTargetsChangesNothing()
    {
        var options = new SequenceModelOptions { Network = new NetworkDescription(CellKind.Lstm, 2, 3) { NumLayers = 2 }, OutputSize = 2, InputDropout = 0.3f, LayerDropout = 0.2f, OutputDropout = 0.25f, Seed = 3 };
        var refused = new SequenceModel(options, 2, 3);
        var clean = new SequenceModel(options, 2, 3);
        float[] features = new float[12];
        for (int i = 0; i < features.Length; i++)
        {
            features[i] = MathF.Sin(i);
        }

        var good = new SequenceBatch { Steps = 3, Batch = 2, Features = features, TargetClasses = [0, 1, 1, 0, -1, 1] };
        refused.ForwardBackward(good);
        clean.ForwardBackward(good);
        float[] hidden = refused.FinalHidden.ToArray();
        Misuse.Refused(() => refused.ForwardBackward(new SequenceBatch { Steps = 3, Batch = 1, Features = features.AsSpan(0, 6), TargetValues = new float[5] }), "Expected 6 target values, got 5");
        Misuse.Refused<ArgumentOutOfRangeException>(() => refused.ForwardBackward(new SequenceBatch { Steps = 3, Batch = 1, Features = features.AsSpan(0, 6), TargetClasses = [0, 5, 1] }), "[1] = 5 is neither a class id in 0..1");
        Assert.Equal(hidden, refused.FinalHidden.ToArray());

        // Nothing moved on: not the final state, not the dropout generators, not the gradients.
        Assert.Equal(clean.ForwardBackward(good), refused.ForwardBackward(good));
        for (int i = 0; i < clean.Parameters.Count; i++)
        {
            Assert.Equal(clean.Parameters[i].Gradient, refused.Parameters[i].Gradient);
        }
    }

    [Fact]
    public void AParameterWhoseValuesDoNotFitItsShapeIsRefusedAndALoadNeverHalfApplies()
    {
        string path = Path.Combine(folder, "p.safetensors");
        Checkpoint.Save(path, [new Parameter("a", [2], [1f, 2f], new float[2]), new Parameter("w", [2, 3], [1, 2, 3, 4, 5, 6], new float[6])]);
        var first = new Parameter("a", [2], [7f, 7f], new float[2]);
        var reshaped = new Parameter("w", [2, 2], new float[4], new float[4]);
        reshaped.Shape[1] = 3; // the shape array is the caller's: changed after the check
        var e = Assert.ThrowsAny<ArgumentException>(() => Checkpoint.Load(path, [first, reshaped]));
        Assert.Equal([7f, 7f], first.Value); // checked before anything was written, as Load promises
        Assert.Contains("Parameter 'w' has shape [2, 3] (6 values) but holds 4 values", e.Message, StringComparison.Ordinal);

        Misuse.Refused(() => _ = new Parameter("w", [2, 3], new float[5], new float[5]), "Parameter 'w': shape [2, 3] holds 6 values, but 5 values were given");
        Misuse.Refused(() => _ = new Parameter("w", [-2, -3], new float[6], new float[6]), "shape [-2, -3] has a negative dimension");
    }

    [Fact]
    public void AnOptimizerRefusesAParameterListedTwice()
    {
        var p = new Parameter("w", [1], [1f], [1f]);
        var q = new Parameter("v", [1], [1f], [1f]);
        Misuse.Refused(() => _ = new SgdMomentum([p, q, p], 0.1f), "parameters[0] and parameters[2] are both named 'w'");
        Misuse.Refused(() => _ = new Adam([q, new Parameter("v", [1], [2f], [0f])]), "parameters[0] and parameters[1] are both named 'v'");
        Assert.Equal(1f, p.Value[0]);
    }

    [Fact]
    public void RefusedHyperparametersAndSizesNameTheArgumentThatIsWrong()
    {
        var p = new Parameter("p", [1], [0f], [0f]);
        Assert.Equal("beta1", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], beta1: 1f)).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], epsilon: float.NaN)).ParamName);
        Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new SgdMomentum([p], 0.1f, momentum: float.NaN)).ParamName);
        Assert.Equal("weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new SgdMomentum([p], 0.1f, weightDecay: -1f)).ParamName);

        var network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Gru, 2, 3), 1);
        Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => new TruncatedBptt(network, 0, 4)).ParamName);
        Assert.Equal("window", Assert.Throws<ArgumentOutOfRangeException>(() => new TruncatedBptt(network, 2, 0)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => new GradientBuffer(network).Get(null!)).ParamName);
        Misuse.Refused<ArgumentOutOfRangeException>(
            () => Trainer.Run(4, new TrainerOptions { Patience = -1, ValidationFraction = 0 }, (_, _) => 1f, cancellationToken: TestContext.Current.CancellationToken), "patience ≥ 0 (got -1)");
    }

    [Fact]
    public void ACheckpointSavedIntoAMissingDirectoryNamesTheTarget()
    {
        string path = Path.Combine(folder, "missing", "model.safetensors");
        var e = Assert.Throws<DirectoryNotFoundException>(() => Checkpoint.Save(path, [new Parameter("w", [1], [1f], [0f])]));
        Assert.Contains($"Cannot save '{path}'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(".tmp", e.Message, StringComparison.Ordinal);
    }
}

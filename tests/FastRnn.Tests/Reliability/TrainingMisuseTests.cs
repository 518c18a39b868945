using System;
using FastRnn.Networks;
using FastRnn.Training;
using FastRnn.Training.Heads;
using FastRnn.Training.Losses;
using Xunit;

namespace FastRnn.Tests.Reliability;

/// <summary>Training entry points refuse malformed calls with messages naming the expected and actual values.</summary>
public sealed class TrainingMisuseTests
{
    private const int Steps = 3, Batch = 2, Input = 2, Hidden = 3;
    private readonly RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, Input, Hidden), 1);

    [Fact]
    public void BackwardBeforeForwardAndForeignGradientsAreRefused()
    {
        var session = new TrainingSession(network, Batch, Steps);
        GradientBuffer gradients = SentinelGradients(network);
        float[] gradInput = Misuse.Sentinels(Steps * Batch * Input);
        Misuse.Refused<InvalidOperationException>(() => session.Backward(new float[Steps * Batch * Hidden], gradients, gradInput: gradInput), "needs a completed Forward");
        session.Forward(new float[Steps * Batch * Input], Steps, Batch, new float[Steps * Batch * Hidden]);
        RecurrentNetwork other = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Gru, Input, Hidden), 2);
        GradientBuffer foreign = SentinelGradients(other);
        Misuse.Refused(() => session.Backward(new float[Steps * Batch * Hidden], foreign, gradInput: gradInput), "another description");
        AssertUntouched(gradients);
        AssertUntouched(foreign);
        Misuse.Untouched(gradInput);
    }

    [Fact]
    public void BackwardAfterTheWeightsChangedIsRefusedUntilForwardRunsAgain()
    {
        // A peephole LSTM: its backward read the live peepholes but the transposes of the Forward.
        var model = new FastRnn.Training.Models.SequenceModel(
            new FastRnn.Training.Models.SequenceModelOptions { Network = new NetworkDescription(CellKind.Lstm, Input, Hidden) { Variant = CellVariant.Peephole }, OutputSize = 1 }, Batch, Steps);
        var session = new TrainingSession(model.Network, Batch, Steps);
        var optimizer = new FastRnn.Training.Optimizers.SgdMomentum(model.Parameters, 0.1f);
        float[] input = new float[Steps * Batch * Input], gradOutput = new float[Steps * Batch * Hidden];
        Array.Fill(input, 0.5f);
        Array.Fill(gradOutput, 1f);
        foreach (Parameter p in model.Parameters)
        {
            Array.Fill(p.Gradient, 0.25f);
        }

        session.Forward(input, Steps, Batch, new float[gradOutput.Length]);
        optimizer.Step();
        GradientBuffer gradients = SentinelGradients(model.Network);
        Misuse.Refused<InvalidOperationException>(() => session.Backward(gradOutput, gradients), "weights changed since the last Forward", "run Forward again");
        model.ParametersUpdated();
        Misuse.Refused<InvalidOperationException>(() => session.Backward(gradOutput, gradients), "weights changed since the last Forward");
        AssertUntouched(gradients);
        session.Forward(input, Steps, Batch, new float[gradOutput.Length]);
        session.Backward(gradOutput, new GradientBuffer(model.Network));
    }

    [Fact]
    public void Seq2SeqCallsRefuseWrongShapesAndTargets()
    {
        var model = new FastRnn.Training.Models.Seq2SeqModel(new FastRnn.Training.Models.Seq2SeqModelOptions
        {
            Cell = CellKind.Gru, SourceVocabulary = 5, TargetVocabulary = 6, Embedding = 3, Hidden = 4, BeginToken = 0, MaxBatch = 2, MaxSourceSteps = 3, MaxTargetSteps = 3,
        });
        int[] output = new int[9];
        Misuse.Refused<ArgumentOutOfRangeException>(() => model.Decode(new int[9], 3, 3, 3, output), "Batch 3, source 3 steps and 3 tokens to emit", "up to 2 and 3");
        Misuse.Refused<ArgumentOutOfRangeException>(() => model.Decode(new int[10], 5, 2, 3, new int[6]), "source 5 steps", "up to 2 and 3");
        Misuse.Refused(() => model.Decode(new int[5], 3, 2, 3, new int[6]), "Expected source [3, 2] and output [3, 2], got 5 and 6 ids");
        Misuse.Refused(() => model.Decode(new int[6], 3, 2, 3, new int[5]), "Expected source [3, 2] and output [3, 2], got 6 and 5 ids");
        Misuse.Refused<ArgumentOutOfRangeException>(() => model.ForwardBackward(new int[6], 3, [1, 2, -2, 0, 1, 2], 3, 2), "target[2] = -2", "0..5 nor -1");
        Misuse.Refused<ArgumentOutOfRangeException>(() => model.ForwardBackward(new int[6], 3, [1, 2, 6, 0, 1, 2], 3, 2), "target[2] = 6");
        var huge = new FastRnn.Training.Models.Seq2SeqModelOptions
        {
            Cell = CellKind.Gru, SourceVocabulary = 5, TargetVocabulary = 30000, Embedding = 3, Hidden = 4, BeginToken = 0, MaxBatch = 100000, MaxSourceSteps = 3, MaxTargetSteps = 3,
        };
        Misuse.Refused<ArgumentOutOfRangeException>(() => _ = new FastRnn.Training.Models.Seq2SeqModel(huge), "batch 100000, 3 source and 3 target steps, 30000 target ids", "more than 2147483647");
    }

    [Fact]
    public void ParameterListsWithANullElementAreRefusedNamingTheIndex()
    {
        var p = new Parameter("p", [1], [0f], [0f]);
        Parameter[] list = [p, null!];
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"fastrnn-null-{Environment.ProcessId}.safetensors");
        Misuse.Refused(() => _ = new FastRnn.Training.Optimizers.Adam(list), "parameters[1] is null");
        Misuse.Refused(() => _ = new FastRnn.Training.Optimizers.SgdMomentum(list, 0.1f), "parameters[1] is null");
        Misuse.Refused(() => GradientClipping.ClipByGlobalNorm(list, 1), "parameters[1] is null");
        Misuse.Refused(() => Checkpoint.Save(path, list), "parameters[1] is null");
        Assert.False(System.IO.File.Exists(path));
        Checkpoint.Save(path, [p]);
        try
        {
            Misuse.Refused(() => Checkpoint.Load(path, list), "parameters[1] is null");
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    [Fact]
    public void SequenceModelOptionsAndBatchesAreCheckedUpFront()
    {
        var options = new FastRnn.Training.Models.SequenceModelOptions { Network = new NetworkDescription(CellKind.Lstm, Input, Hidden) { NumLayers = 2 }, OutputSize = 2 };
        Misuse.Refused<ArgumentOutOfRangeException>(() => _ = new FastRnn.Training.Models.SequenceModel(options with { LayerDropout = float.NaN }, Batch, Steps), "LayerDropout must be in [0, 1)");
        Misuse.Refused<ArgumentOutOfRangeException>(() => _ = new FastRnn.Training.Models.SequenceModel(options with { InputDropout = float.NaN }, Batch, Steps), "InputDropout must be in [0, 1)");
        Misuse.Refused<ArgumentOutOfRangeException>(() => _ = new FastRnn.Training.Models.SequenceModel(options with { OutputDropout = 1f }, Batch, Steps), "OutputDropout must be in [0, 1)");
        Misuse.Refused<ArgumentOutOfRangeException>(() => _ = new FastRnn.Training.Models.SequenceModel(options with { KeepGateBias = float.NaN }, Batch, Steps), "finite KeepGateBias (got NaN)");
        Misuse.Refused<ArgumentOutOfRangeException>(() => _ = new FastRnn.Training.Models.SequenceModel(options with { Vocabulary = -3 }, Batch, Steps), "Vocabulary ≥ 0", "got -3");

        var model = new FastRnn.Training.Models.SequenceModel(options, Batch, Steps);
        float[] features = new float[Steps * Batch * Input];
        float[] targets = new float[Steps * Batch * 2];
        float[] tooShort = Misuse.Sentinels(11), tooLong = Misuse.Sentinels(13);
        Misuse.Refused(() => model.Evaluate(new() { Steps = Steps, Batch = Batch, Features = features, TargetValues = targets }, tooShort), "Expected predictions [6, 2] = 12 floats (or none), got 11");
        Misuse.Refused(() => model.Evaluate(new() { Steps = Steps, Batch = Batch, Features = features, TargetValues = targets }, tooLong), "Expected predictions [6, 2] = 12 floats (or none), got 13");
        Misuse.Untouched(tooShort, tooLong);
        Misuse.Refused(() => model.ForwardBackward(new() { Steps = Steps, Batch = Batch, Features = features, Tokens = new int[Steps * Batch], TargetValues = targets }), "both features (12) and tokens (6)", "(features)");
    }

    [Fact]
    public void SampleRefusesWhatItCannotGenerate()
    {
        var options = new FastRnn.Training.Models.SequenceModelOptions { Network = new NetworkDescription(CellKind.Gru, Input, Hidden), Vocabulary = 5, OutputSize = 5 };
        var model = new FastRnn.Training.Models.SequenceModel(options, 1, Steps);
        Assert.Equal(3, model.Sample([1], 3, 1f, 0).Length);
        Misuse.Refused<ArgumentOutOfRangeException>(() => model.Sample([1], -1, 1f, 0), "count ≥ 0", "Parameter 'count'");
        Misuse.Refused<InvalidOperationException>(() => new FastRnn.Training.Models.SequenceModel(options with { OutputSize = 8 }, 1, Steps).Sample([1], 3, 1f, 0), "OutputSize (8) must not exceed the Vocabulary (5)");
        foreach (NetworkDescription d in new[] { options.Network with { Bidirectional = true }, options.Network with { Reverse = true } })
        {
            Misuse.Refused<InvalidOperationException>(() => new FastRnn.Training.Models.SequenceModel(options with { Network = d }, 1, Steps).Sample([1], 3, 1f, 0), "Sample runs the network forward one step at a time", "bidirectional or reverse");
        }
    }

    [Fact]
    public void ForwardAndBackwardRefuseWrongShapesAndSizes()
    {
        var session = new TrainingSession(network, Batch, Steps);
        float[] longOutput = Misuse.Sentinels(4 * Batch * Hidden), wideOutput = Misuse.Sentinels(Steps * 3 * Hidden);
        Misuse.Refused<ArgumentOutOfRangeException>(() => session.Forward(new float[4 * Batch * Input], 4, Batch, longOutput), "1..3", "Actual value was 4");
        Misuse.Refused<ArgumentOutOfRangeException>(() => session.Forward(new float[Steps * 3 * Input], Steps, 3, wideOutput), "1..2", "Actual value was 3");
        Misuse.Untouched(longOutput, wideOutput);
        session.Forward(new float[Steps * Batch * Input], Steps, Batch, new float[Steps * Batch * Hidden]);
        GradientBuffer gradients = SentinelGradients(network);
        float[] gradInput = Misuse.Sentinels(12), gradH0 = Misuse.Sentinels(6), gradC0 = Misuse.Sentinels(6);
        Misuse.Refused(() => session.Backward(new float[5], gradients, gradInput: gradInput, gradInitial: new InitialStateGradient(gradH0, gradC0)), "output gradient [3, 2, 3] = 18 floats, got 5");
        Misuse.Refused(() => session.Backward(new float[18], gradients, gradInput: new float[5], gradInitial: new InitialStateGradient(gradH0, gradC0)), "input gradient [3, 2, 2] = 12 floats, got 5");
        Misuse.Refused(() => session.Backward(new float[18], gradients, gradFinal: new FinalStateGradient(new float[5]), gradInput: gradInput, gradInitial: new InitialStateGradient(gradH0, gradC0)), "gradient of h_n [1, 2, 3] = 6 floats, got 5");
        Misuse.Refused(() => session.Backward(new float[18], gradients, gradInput: gradInput, gradInitial: new InitialStateGradient(gradH0, new float[5])), "gradient of c_0 [1, 2, 3] = 6 floats, got 5");
        AssertUntouched(gradients);
        Misuse.Untouched(gradInput, gradH0, gradC0);
        Misuse.Refused<ArgumentOutOfRangeException>(() => _ = new TrainingSession(network, 0, Steps), "maxBatch");
        Misuse.Refused<ArgumentOutOfRangeException>(() => _ = new TrainingSession(network, Batch, Steps, dropout: 1f), "[0, 1)", "Parameter 'dropout'");
        Misuse.Refused<ArgumentOutOfRangeException>(() => _ = new TrainingSession(network, Batch, Steps, dropout: float.NaN), "[0, 1)", "Parameter 'dropout'");
        Misuse.Refused(() => _ = new TrainingSession(network, 1 << 16, 1 << 16), "batch 65536 x 65536 steps", "more than 2147483647 floats");
    }

    [Fact]
    public void BackwardRefusesGradientOutputsSharingMemory()
    {
        var session = new TrainingSession(network, Batch, Steps);
        session.Forward(new float[Steps * Batch * Input], Steps, Batch, new float[Steps * Batch * Hidden]);
        GradientBuffer gradients = SentinelGradients(network);
        float[] gradOutput = new float[Steps * Batch * Hidden];
        float[] shared = Misuse.Sentinels(12);
        Misuse.Refused(() => session.Backward(gradOutput, gradients, gradInput: shared, gradInitial: new InitialStateGradient(shared.AsSpan(6, 6))), "gradInput (12 floats) and gradInitial.Hidden (6 floats) overlap");
        Misuse.Refused(() => session.Backward(gradOutput, gradients, gradInitial: new InitialStateGradient(shared.AsSpan(0, 6), shared.AsSpan(3, 6))), "gradInitial.Hidden", "gradInitial.Cell", "overlap");
        Misuse.Refused(() => session.Backward(gradOutput, gradients, gradFinal: new FinalStateGradient(default, shared.AsSpan(0, 6)), gradInitial: new InitialStateGradient(shared.AsSpan(0, 6))), "gradFinal.Cell", "gradInitial.Hidden", "overlap");
        Misuse.Refused(() => session.Backward(gradOutput, gradients, gradFinal: new FinalStateGradient(shared.AsSpan(0, 6)), gradInput: shared), "gradFinal.Hidden", "gradInput", "overlap");
        AssertUntouched(gradients);
        Misuse.Untouched(shared);
    }

    // Backward accumulates into the buffer, so sentinels there show whether a refused call added anything.
    private static GradientBuffer SentinelGradients(RecurrentNetwork network)
    {
        var gradients = new GradientBuffer(network);
        foreach (string name in gradients.Names)
        {
            gradients.Get(name).Fill(Misuse.Sentinel);
        }

        return gradients;
    }

    private static void AssertUntouched(GradientBuffer gradients)
    {
        foreach (string name in gradients.Names)
        {
            Misuse.Untouched(gradients.Get(name).ToArray());
        }
    }

    [Fact]
    public void HeadsAndLossesRefuseWrongShapesOverlapsAndIds()
    {
        var dense = new DenseLayer("head", 3, 2, seed: 1);
        float[] x = new float[2 * 3];
        Misuse.Refused(() => dense.Forward(x, 2, new float[3]), "output [2, 2] = 4 floats, got 3");
        Misuse.Refused(() => dense.Forward(new float[5], 2, new float[4]), "input [2, 3] = 6 floats, got 5");
        float[] shared = new float[6];
        Misuse.Refused(() => dense.Forward(shared.AsSpan(0, 3), 1, shared.AsSpan(2, 2)), "x (3 floats) and y (2 floats) overlap");
        float[] before = (float[])dense.Weight.Gradient.Clone();
        Misuse.Refused(() => dense.Backward(x, shared.AsSpan(0, 4), 2, shared), "dy (4 floats) and dx (6 floats) overlap");
        Misuse.Refused(() => dense.Backward(x, new float[4], 2, new float[5]), "input gradient [2, 3] = 6 floats, got 5");
        Assert.Equal(before, dense.Weight.Gradient); // refused before any gradient changed

        var embedding = new Embedding("embed", 4, 2, seed: 1);
        Misuse.Refused<ArgumentOutOfRangeException>(() => embedding.Forward(new[] { 1, 4 }, new float[4]), "tokens[1] = 4", "0..3");
        Misuse.Refused<ArgumentOutOfRangeException>(() => embedding.Backward(new[] { -1 }, new float[2]), "tokens[0] = -1", "0..3");
        Misuse.Refused(() => embedding.Backward(new[] { 1 }, new float[3]), "dOutput [1, 2] = 2 floats, got 3");
        Assert.All(embedding.Weight.Gradient, g => Assert.Equal(0f, g));

        Misuse.Refused(() => MeanSquaredError.Compute(new float[3], new float[2], new float[3]), "3 values", "2 targets");
        Misuse.Refused<ArgumentOutOfRangeException>(() => SoftmaxCrossEntropy.Compute(new float[4], new[] { 0, 2 }, 2, new float[4]), "targets[1] = 2", "0..1");
        float[] dLogits = Misuse.Sentinels(4);
        Misuse.Refused<ArgumentOutOfRangeException>(() => SoftmaxCrossEntropy.Compute(new float[4], new[] { 1, -2 }, 2, dLogits), "targets[1] = -2", "nor -1 (ignore)");
        Assert.Equal(Misuse.Sentinels(4), dLogits); // refused before any gradient is written
        Misuse.Refused<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(new GradientBuffer(network), 0), "must be positive");
        Misuse.Refused<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(new GradientBuffer(network), double.NaN), "must be positive");
    }
}

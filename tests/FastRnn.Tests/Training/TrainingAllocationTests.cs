using System;
using FastRnn.Networks;
using FastRnn.Tests.Networks;
using FastRnn.Training;
using FastRnn.Training.Models;
using FastRnn.Training.Optimizers;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>Warmed-up training steps (forward, backward, dropout, clipping, optimizers, models) allocate nothing, on any thread.</summary>
[Collection(AllocationMeasurements.Name)]
public sealed class TrainingAllocationTests
{
    [Theory]
    [InlineData(CellKind.Lstm, CellVariant.Standard, 0, 1)]
    [InlineData(CellKind.Lstm, CellVariant.Peephole, 4, 1)]
    [InlineData(CellKind.Gru, CellVariant.Standard, 0, 1)]
    [InlineData(CellKind.Gru, CellVariant.ResetBefore, 0, 1)]
    [InlineData(CellKind.RnnTanh, CellVariant.Standard, 0, 1)]
    [InlineData(CellKind.Lstm, CellVariant.Peephole, 0, 2)]
    [InlineData(CellKind.Gru, CellVariant.ResetBefore, 0, 2)]
    public void ATrainingStepAllocatesNothing(CellKind kind, CellVariant variant, int projection, int threads)
    {
        var description = new NetworkDescription(kind, 6, 13) { Variant = variant, ProjectionSize = projection, NumLayers = 2, Bidirectional = true };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, 2);
        const int steps = 5, batch = 6;
        var session = new TrainingSession(network, batch, steps, threads: threads);
        var gradients = new GradientBuffer(network);
        float[] input = Ramp(steps * batch * 6);
        float[] output = new float[steps * batch * description.OutputSize];
        float[] gradOutput = Ramp(output.Length);
        float[] gradInput = new float[input.Length];
        int[] lengths = [5, 3, 1, 5, 2, 4];

        AllocationAssert.AllocatesNothing(() =>
        {
            gradients.Zero();
            session.Forward(input, steps, batch, output, lengths: lengths);
            session.Backward(gradOutput, gradients, gradInput: gradInput);
            GradientClipping.ClipByGlobalNorm(gradients, 1.0);
            GradientClipping.ClipByValue(gradients, 0.5f);
        });
    }

    [Theory]
    [InlineData(CellKind.Lstm, 1)]
    [InlineData(CellKind.Gru, 2)]
    public void ATrainingStepWithDropoutInitialStatesAndStateGradientsAllocatesNothing(CellKind kind, int threads)
    {
        var description = new NetworkDescription(kind, 7, 16) { NumLayers = 3 };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, 5);
        const int steps = 6, batch = 4;
        var session = new TrainingSession(network, batch, steps, dropout: 0.3f, seed: 9, threads: threads);
        var gradients = new GradientBuffer(network);
        int state = 3 * batch * 16;
        bool lstm = description.HasCellState;
        float[] input = Ramp(steps * batch * 7), output = new float[steps * batch * 16], gradOutput = Ramp(output.Length);
        float[] h0 = Ramp(state), hn = new float[state], gradHn = Ramp(state), gradH0 = new float[state];
        float[] c0 = lstm ? Ramp(state) : [], cn = new float[c0.Length], gradCn = lstm ? Ramp(state) : [], gradC0 = new float[c0.Length];
        float[] gradInput = new float[input.Length];
        AllocationAssert.AllocatesNothing(() =>
        {
            session.Forward(input, steps, batch, output, new InitialState(h0, c0), new FinalState(hn, cn));
            session.Backward(gradOutput, gradients, new FinalStateGradient(gradHn, gradCn), gradInput, new InitialStateGradient(gradH0, gradC0));
        });
    }

    [Fact]
    public void AReverseNetworkTrainingStepAllocatesNothing()
    {
        var description = new NetworkDescription(CellKind.Lstm, 5, 12) { NumLayers = 2, Reverse = true };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, 6);
        const int steps = 5, batch = 3;
        var session = new TrainingSession(network, batch, steps);
        var gradients = new GradientBuffer(network);
        float[] input = Ramp(steps * batch * 5), output = new float[steps * batch * 12], gradOutput = Ramp(output.Length);
        int[] lengths = [5, 2, 4];
        AllocationAssert.AllocatesNothing(() =>
        {
            session.Forward(input, steps, batch, output, lengths: lengths);
            session.Backward(gradOutput, gradients);
        });
    }

    [Fact]
    public void TruncatedBpttWindowsAllocateNothing()
    {
        var description = new NetworkDescription(CellKind.Gru, 4, 14) { NumLayers = 2 };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, 3);
        const int window = 6, batch = 2;
        var bptt = new TruncatedBptt(network, batch, window);
        var gradients = new GradientBuffer(network);
        float[] input = Ramp(window * batch * 4), output = new float[window * batch * 14], gradOutput = Ramp(output.Length);
        AllocationAssert.AllocatesNothing(() =>
        {
            bptt.Forward(input, window, output);
            bptt.Backward(gradOutput, gradients);
            bptt.Advance();
            bptt.Forward(input.AsSpan(0, 3 * batch * 4), 3, output.AsSpan(0, 3 * batch * 14)); // a shorter last window
            bptt.Backward(gradOutput.AsSpan(0, 3 * batch * 14), gradients);
            bptt.ResetState();
        });
    }

    [Fact]
    public void DropoutMasksAllocateNothing()
    {
        var dropout = new Dropout(0.25f, seed: 4);
        float[] mask = new float[333], values = Ramp(333);
        AllocationAssert.AllocatesNothing(() =>
        {
            dropout.NextMask(mask);
            Dropout.Apply(values, mask);
        });
    }

    [Theory]
    [InlineData(false, HeadPlacement.EveryStep)]
    [InlineData(true, HeadPlacement.LastStep)]
    public void SequenceModelStepsWithOptimizersAndDropoutAllocateNothing(bool adam, HeadPlacement head)
    {
        var model = new SequenceModel(
            new SequenceModelOptions
            {
                Network = new NetworkDescription(CellKind.Lstm, 8, 20) { NumLayers = 2 },
                Vocabulary = 11,
                OutputSize = 11,
                Head = head,
                LayerDropout = 0.2f,
                InputDropout = 0.1f,
                OutputDropout = 0.3f,
                Seed = 2,
            },
            maxBatch: 4,
            maxSteps: 9);
        Optimizer optimizer = adam
            ? new Adam(model.Parameters, learningRate: 0.01f, weightDecay: 0.01f, decoupled: true)
            : new SgdMomentum(model.Parameters, learningRate: 0.05f, momentum: 0.9f, weightDecay: 0.001f);
        const int steps = 9, batch = 4;
        int[] tokens = new int[steps * batch];
        int[] targets = new int[head == HeadPlacement.EveryStep ? steps * batch : batch];
        for (int i = 0; i < tokens.Length; i++)
        {
            tokens[i] = (i * 7) % 11;
        }

        for (int i = 0; i < targets.Length; i++)
        {
            targets[i] = (i * 3) % 11;
        }

        int[] lengths = [9, 4, 7, 1];
        float[] predictions = new float[targets.Length * 11];
        AllocationAssert.AllocatesNothing(() =>
        {
            optimizer.ZeroGradients();
            model.ForwardBackward(new SequenceBatch { Steps = steps, Batch = batch, Tokens = tokens, TargetClasses = targets, Lengths = lengths });
            GradientClipping.ClipByGlobalNorm(model.Parameters, 1.0);
            optimizer.Step();
            model.ParametersUpdated();
            model.Evaluate(new SequenceBatch { Steps = steps, Batch = batch, Tokens = tokens, TargetClasses = targets, Lengths = lengths }, predictions);
        });
    }

    [Fact]
    public void Seq2SeqTrainingStepsAllocateNothing()
    {
        (Seq2SeqModel model, int[] source, int[] target) = Seq2Seq();
        var optimizer = new Adam(model.Parameters, learningRate: 0.01f);
        AllocationAssert.AllocatesNothing(() =>
        {
            optimizer.ZeroGradients();
            model.ForwardBackward(source, Seq2SeqSourceSteps, target, Seq2SeqTargetSteps, Seq2SeqBatch);
            optimizer.Step();
            model.ParametersUpdated();
        });
    }

    [Fact]
    public void Seq2SeqGreedyDecodingAllocatesNothing()
    {
        // Decode once created a StreamingSession on every call (about 2.4 KB); it now keeps one.
        (Seq2SeqModel model, int[] source, int[] target) = Seq2Seq();
        int[] decoded = new int[target.Length];
        AllocationAssert.AllocatesNothing(() => model.Decode(source, Seq2SeqSourceSteps, Seq2SeqBatch, Seq2SeqTargetSteps, decoded));
    }

    private const int Seq2SeqSourceSteps = 7, Seq2SeqTargetSteps = 8, Seq2SeqBatch = 3;

    private static (Seq2SeqModel Model, int[] Source, int[] Target) Seq2Seq()
    {
        var model = new Seq2SeqModel(new Seq2SeqModelOptions
        {
            Cell = CellKind.Gru, SourceVocabulary = 9, TargetVocabulary = 10, Embedding = 6, Hidden = 15, Layers = 2,
            BeginToken = 0, MaxBatch = 3, MaxSourceSteps = 7, MaxTargetSteps = 8, Seed = 1,
        });
        int[] source = new int[Seq2SeqSourceSteps * Seq2SeqBatch], target = new int[Seq2SeqTargetSteps * Seq2SeqBatch];
        for (int i = 0; i < source.Length; i++)
        {
            source[i] = 1 + (i % 8);
        }

        for (int i = 0; i < target.Length; i++)
        {
            target[i] = 1 + ((i * 5) % 9);
        }

        return (model, source, target);
    }

    private static float[] Ramp(int length)
    {
        float[] values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = 0.5f * MathF.Cos(0.29f * i);
        }

        return values;
    }
}

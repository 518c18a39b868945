using System;
using System.Collections.Generic;
using FastRnn.Networks;
using FastRnn.Tests.Reference;
using FastRnn.Training;
using FastRnn.Training.Models;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>Seq2SeqModel against a double reference: teacher-forced gradients (finite differences) and greedy decoding; trainer patience.</summary>
public sealed class Seq2SeqModelReferenceTests
{
    private static double[] Embed(double[] table, int[] tokens, int dim)
    {
        double[] x = new double[tokens.Length * dim];
        for (int n = 0; n < tokens.Length; n++)
        {
            Array.Copy(table, tokens[n] * dim, x, n * dim, dim);
        }

        return x;
    }

    // Decoder logits [T*B, V] for decoder input tokens.
    private static double[] Logits(Seq2SeqModelOptions o, Dictionary<string, double[]> w, int[] source, int s, int[] decoderInput, int t, int b, long[]? sourceLengths = null)
    {
        var cfg = new ReferenceConfig
        {
            Mode = o.Cell switch { CellKind.Lstm => ReferenceMode.Lstm, CellKind.Gru => ReferenceMode.Gru, _ => ReferenceMode.RnnTanh },
            InputSize = o.Embedding,
            HiddenSize = o.Hidden,
            NumLayers = o.Layers,
        };
        ReferenceForwardResult enc = ReferenceNetwork.Forward(cfg, ModelReference.Prefixed(w, "encoder."), Embed(w["encoder_embedding.weight"], source, o.Embedding), s, b, null, null, sourceLengths);
        ReferenceForwardResult dec = ReferenceNetwork.Forward(cfg, ModelReference.Prefixed(w, "decoder."), Embed(w["decoder_embedding.weight"], decoderInput, o.Embedding), t, b, enc.HN, enc.CN, null);
        return ModelReference.Dense(dec.Output, t * b, w["head.weight"], w["head.bias"], o.Hidden, o.TargetVocabulary);
    }

    private static double Loss(Seq2SeqModelOptions o, Dictionary<string, double[]> w, int[] source, int s, int[] target, int t, int b, long[]? sourceLengths = null)
    {
        int[] input = new int[t * b];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = i < b || target[i - b] < 0 ? o.BeginToken : target[i - b];
        }

        return ModelReference.CrossEntropy(Logits(o, w, source, s, input, t, b, sourceLengths), target, o.TargetVocabulary);
    }

    [Theory]
    [InlineData(CellKind.Lstm, 2, false)]
    [InlineData(CellKind.Gru, 2, false)]
    [InlineData(CellKind.RnnTanh, 1, false)]
    [InlineData(CellKind.Lstm, 2, true)]
    [InlineData(CellKind.Gru, 1, true)]
    public void GradientsMatchDoubleFiniteDifferences(CellKind cell, int layers, bool sourceLengths)
    {
        var o = new Seq2SeqModelOptions { Cell = cell, SourceVocabulary = 5, TargetVocabulary = 4, Embedding = 3, Hidden = 3, Layers = layers, BeginToken = 0, MaxBatch = 3, MaxSourceSteps = 5, MaxTargetSteps = 6, Seed = 7 };
        var model = new Seq2SeqModel(o);
        int[] source = [1, 2, 3, 4, 0, 1];
        int[] target = [1, 2, -1, 3, 2, 1, 3, -1];

        // The second source ends after one id: its padding (ids 4 and 1) must move neither the loss nor any gradient.
        int[] lengths = sourceLengths ? [3, 1] : [];
        long[]? referenceLengths = sourceLengths ? [3, 1] : null;
        float loss = model.ForwardBackward(source, 3, target, 4, 2, lengths);
        Dictionary<string, double[]> w = ModelReference.Weights(model.Parameters);
        double exact = Loss(o, w, source, 3, target, 4, 2, referenceLengths);
        Assert.True(Math.Abs(exact - loss) <= 1e-4, $"loss {loss}, reference {exact}");
        var failures = new List<string>();
        foreach (Parameter p in model.Parameters)
        {
            double[] v = w[p.Name];
            for (int i = 0; i < v.Length; i++)
            {
                double keep = v[i];
                v[i] = keep + 1e-5;
                double up = Loss(o, w, source, 3, target, 4, 2, referenceLengths);
                v[i] = keep - 1e-5;
                double down = Loss(o, w, source, 3, target, 4, 2, referenceLengths);
                v[i] = keep;
                double fd = (up - down) / 2e-5;
                if (Math.Abs(fd - p.Gradient[i]) > 2e-4 + (2e-3 * Math.Abs(fd)))
                {
                    failures.Add($"{p.Name}[{i}]: model {p.Gradient[i]}, finite differences {fd}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [InlineData(CellKind.Lstm, 2)]
    [InlineData(CellKind.Gru, 1)]
    public void DecodeIsGreedyOverTheReferenceDecoder(CellKind cell, int layers)
    {
        var o = new Seq2SeqModelOptions { Cell = cell, SourceVocabulary = 5, TargetVocabulary = 6, Embedding = 3, Hidden = 4, Layers = layers, BeginToken = 0, MaxBatch = 4, MaxSourceSteps = 3, MaxTargetSteps = 4, Seed = 3 };
        var model = new Seq2SeqModel(o);
        model.Decode([1, 2, 3, 4, 0, 1, 2, 2, 4, 1, 1, 1], 3, 4, 2, new int[8]);
        int[] source = [1, 2, 3, 4, 0, 1];
        int steps = 6, b = 2;
        int[] output = new int[steps * b];
        model.Decode(source, 3, b, steps, output);
        int[] again = new int[steps * b];
        model.Decode(source, 3, b, steps, again);
        Assert.Equal(output, again);
        Dictionary<string, double[]> w = ModelReference.Weights(model.Parameters);
        int[] input = new int[steps * b];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = i < b ? 0 : output[i - b];
        }

        double[] y = Logits(o, w, source, 3, input, steps, b);
        for (int n = 0; n < steps * b; n++)
        {
            int best = 0;
            for (int k = 1; k < 6; k++)
            {
                if (y[(n * 6) + k] > y[(n * 6) + best])
                {
                    best = k;
                }
            }

            Assert.Equal(best, output[n]);
        }
    }

    [Theory]
    [InlineData(CellKind.Lstm, 2)]
    [InlineData(CellKind.Gru, 1)]
    [InlineData(CellKind.RnnTanh, 2)]
    public void ARowWithASourceLengthDecodesAsItsCutSourceAlone(CellKind cell, int layers)
    {
        var o = new Seq2SeqModelOptions { Cell = cell, SourceVocabulary = 7, TargetVocabulary = 6, Embedding = 4, Hidden = 5, Layers = layers, BeginToken = 0, MaxBatch = 3, MaxSourceSteps = 4, MaxTargetSteps = 4, Seed = 11 };
        Seq2SeqModel model = Sharpened(o);
        const int Steps = 4, Batch = 3, Emit = 6;
        int[] source = [1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5]; // [S, B]: row b's ids are source[t * B + b]
        int[] lengths = [4, 1, 2];
        int[] output = new int[Emit * Batch];
        model.Decode(source, Steps, Batch, Emit, output, lengths);
        for (int b = 0; b < Batch; b++)
        {
            int[] cut = new int[lengths[b]];
            for (int t = 0; t < cut.Length; t++)
            {
                cut[t] = source[(t * Batch) + b];
            }

            int[] alone = new int[Emit];
            model.Decode(cut, cut.Length, 1, Emit, alone);
            for (int t = 0; t < Emit; t++)
            {
                Assert.True(alone[t] == output[(t * Batch) + b], $"row {b} (length {lengths[b]}), token {t}: {output[(t * Batch) + b]} in the batch, {alone[t]} alone");
            }
        }

        // And the lengths matter: without them the short rows read their padding.
        int[] unpacked = new int[Emit * Batch];
        model.Decode(source, Steps, Batch, Emit, unpacked);
        Assert.NotEqual(output, unpacked);
    }

    [Theory]
    [InlineData(CellKind.Lstm, 0)]
    [InlineData(CellKind.Gru, 1)]
    [InlineData(CellKind.Lstm, 2)]
    public void AnEndTokenEndsEachRowWhereItIsEmittedAndChangesNothingBefore(CellKind cell, int endAt)
    {
        var o = new Seq2SeqModelOptions { Cell = cell, SourceVocabulary = 7, TargetVocabulary = 6, Embedding = 4, Hidden = 5, Layers = 2, BeginToken = 0, MaxBatch = 3, MaxSourceSteps = 4, MaxTargetSteps = 4, Seed = 5 };
        int[] source = [1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5];
        const int Steps = 4, Batch = 3, Emit = 8;
        int[] free = new int[Emit * Batch];
        Sharpened(o).Decode(source, Steps, Batch, Emit, free);

        // The end token: the one row 0 emits at step endAt, so at least that row ends there or before.
        int end = free[endAt * Batch];
        int[] ended = new int[Emit * Batch];
        Seq2SeqModel model = Sharpened(o with { EndToken = end });
        Assert.Equal(end, model.EndToken);
        model.Decode(source, Steps, Batch, Emit, ended);
        for (int b = 0; b < Batch; b++)
        {
            int first = Emit;
            for (int t = 0; t < Emit && first == Emit; t++)
            {
                first = free[(t * Batch) + b] == end ? t : Emit;
            }

            for (int t = 0; t < Emit; t++)
            {
                int expected = t <= first ? free[(t * Batch) + b] : -1;
                Assert.True(expected == ended[(t * Batch) + b], $"row {b} (ends at {first}), step {t}: expected {expected}, got {ended[(t * Batch) + b]}");
            }
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => new Seq2SeqModel(o with { EndToken = 6 }));
    }

    // A model with larger weights than the initialisation's, so its tokens depend on the source and vary
    // from step to step (an untrained model's barely do); the same options give the same model.
    private static Seq2SeqModel Sharpened(Seq2SeqModelOptions o)
    {
        var model = new Seq2SeqModel(o);
        foreach (Parameter p in model.Parameters)
        {
            float[] values = p.Value;
            for (int i = 0; i < values.Length; i++)
            {
                values[i] *= 4;
            }
        }

        model.ParametersUpdated();
        return model;
    }

    [Fact]
    public void BadSourceLengthsAreRefusedByName()
    {
        var model = new Seq2SeqModel(new Seq2SeqModelOptions { Cell = CellKind.Gru, SourceVocabulary = 5, TargetVocabulary = 4, Embedding = 3, Hidden = 3, BeginToken = 0, MaxBatch = 2, MaxSourceSteps = 3, MaxTargetSteps = 2 });
        int[] source = [1, 2, 3, 4, 0, 1];
        int[] target = [1, 2, 3, 0];
        ArgumentException count = Assert.Throws<ArgumentException>(() => model.ForwardBackward(source, 3, target, 2, 2, [3]));
        Assert.Equal("sourceLengths", count.ParamName);
        Assert.Contains("Expected sourceLengths [2] (one per source), got 1 values", count.Message, StringComparison.Ordinal);
        ArgumentOutOfRangeException range = Assert.Throws<ArgumentOutOfRangeException>(() => model.Decode(source, 3, 2, 2, new int[4], [3, 4]));
        Assert.Equal("sourceLengths", range.ParamName);
        Assert.Contains("sourceLengths[1] = 4; each must be in 1..3", range.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Decode(source, 3, 2, 2, new int[4], [0, 3]));
    }

    [Fact]
    public void PatienceStopsAfterThatManyEpochsWithoutABetterValidationLoss()
    {
        float[] losses = [3f, 2f, 2.5f, 2.6f, 1f, 0.5f];
        int epoch = 0;
        TrainingSummary s = Trainer.Run(10, new TrainerOptions { Epochs = 6, BatchSize = 10, ValidationFraction = 0.1, Patience = 2 }, (_, _) => 1f, _ => losses[epoch++], cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(4, s.TrainLoss.Count);
        Assert.Equal(2, s.BestEpoch);
        Assert.True(s.StoppedEarly);
    }
}

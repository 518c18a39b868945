using System;
using System.Collections.Generic;
using FastRnn.Networks;
using FastRnn.Tests.Reference;
using FastRnn.Training;
using FastRnn.Training.Models;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>SequenceModel against a double reference: whole-model gradients (finite differences), cold sampling, dropout-free evaluation, in-place carried state.</summary>
public sealed class SequenceModelReferenceTests
{
    private static ReferenceConfig Config(NetworkDescription d) => new()
    {
        Mode = d.Kind switch { CellKind.Lstm => ReferenceMode.Lstm, CellKind.Gru => ReferenceMode.Gru, CellKind.RnnRelu => ReferenceMode.RnnRelu, _ => ReferenceMode.RnnTanh },
        InputSize = d.InputSize,
        HiddenSize = d.HiddenSize,
        NumLayers = d.NumLayers,
        Bidirectional = d.Bidirectional,
    };

    private static double SequenceLoss(SequenceModel model, Dictionary<string, double[]> w, double[] x, int steps, int batch, int[]? lengths, float[]? values, int[]? classes)
    {
        NetworkDescription d = model.Network.Description;
        ReferenceConfig cfg = Config(d);
        long[]? lens = lengths is null ? null : Array.ConvertAll(lengths, l => (long)l);
        ReferenceForwardResult r = ReferenceNetwork.Forward(cfg, ModelReference.Prefixed(w, "rnn."), x, steps, batch, null, null, lens);
        int outSize = model.Options.OutputSize, width = d.OutputSize;
        double[] headIn;
        int rows;
        if (model.Options.Head == HeadPlacement.EveryStep)
        {
            headIn = r.Output;
            rows = steps * batch;
        }
        else
        {
            rows = batch;
            headIn = new double[batch * width];
            int top = (d.NumLayers - 1) * d.Directions;
            for (int b = 0; b < batch; b++)
            {
                for (int dir = 0; dir < d.Directions; dir++)
                {
                    Array.Copy(r.HN, ((top + dir) * batch + b) * d.StateSize, headIn, (b * width) + (dir * d.StateSize), d.StateSize);
                }
            }
        }

        double[] y = ModelReference.Dense(headIn, rows, w["head.weight"], w["head.bias"], width, outSize);
        if (classes is not null)
        {
            return ModelReference.CrossEntropy(y, classes, outSize);
        }

        double total = 0;
        long n = 0;
        for (int row = 0; row < rows; row++)
        {
            if (model.Options.Head == HeadPlacement.EveryStep && lengths is not null && row / batch >= lengths[row % batch])
            {
                continue;
            }

            for (int o = 0; o < outSize; o++)
            {
                double diff = y[(row * outSize) + o] - values![(row * outSize) + o];
                total += diff * diff;
                n++;
            }
        }

        return total / n;
    }

    private static void CheckAgainstFiniteDifferences(IReadOnlyList<Parameter> parameters, float loss, Func<Dictionary<string, double[]>, double> reference)
    {
        Dictionary<string, double[]> w = ModelReference.Weights(parameters);
        double exact = reference(w);
        Assert.True(Math.Abs(exact - loss) <= 1e-4 * Math.Max(1, Math.Abs(exact)), $"loss {loss}, reference {exact}");
        var failures = new List<string>();
        foreach (Parameter p in parameters)
        {
            double[] v = w[p.Name];
            for (int i = 0; i < v.Length; i++)
            {
                double keep = v[i];
                const double eps = 1e-5;
                v[i] = keep + eps;
                double up = reference(w);
                v[i] = keep - eps;
                double down = reference(w);
                v[i] = keep;
                double fd = (up - down) / (2 * eps);
                if (Math.Abs(fd - p.Gradient[i]) > 2e-4 + (2e-3 * Math.Abs(fd)))
                {
                    failures.Add($"{p.Name}[{i}]: model {p.Gradient[i]}, finite differences {fd}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static float[] Random(int n, int seed)
    {
        var random = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return v;
    }

    [Theory]
    [InlineData(CellKind.Gru, HeadPlacement.EveryStep, false)]
    [InlineData(CellKind.Gru, HeadPlacement.EveryStep, true)]
    [InlineData(CellKind.Lstm, HeadPlacement.LastStep, false)]
    [InlineData(CellKind.Lstm, HeadPlacement.LastStep, true)]
    [InlineData(CellKind.RnnTanh, HeadPlacement.EveryStep, true)]
    [InlineData(CellKind.RnnTanh, HeadPlacement.LastStep, true)]
    public void WholeModelGradientsMatchDoubleFiniteDifferences(CellKind kind, HeadPlacement head, bool useClasses)
    {
        var description = new NetworkDescription(kind, 2, 3) { NumLayers = 2, Bidirectional = true };
        var model = new SequenceModel(new SequenceModelOptions { Network = description, OutputSize = 3, Head = head, Seed = 5, KeepGateBias = 0.5f }, maxBatch: 4, maxSteps: 6);
        const int steps = 4, batch = 3;
        int[] lengths = [4, 2, 1];
        float[] x = Random(steps * batch * 2, 1);
        int rows = head == HeadPlacement.EveryStep ? steps * batch : batch;
        float[]? values = useClasses ? null : Random(rows * 3, 2);
        int[]? classes = null;
        if (useClasses)
        {
            classes = new int[rows];
            for (int i = 0; i < rows; i++)
            {
                classes[i] = head == HeadPlacement.EveryStep && i / batch >= lengths[i % batch] ? -1 : i % 3;
            }
        }

        float loss = model.ForwardBackward(new SequenceBatch { Steps = steps, Batch = batch, Features = x, Lengths = lengths, TargetValues = values, TargetClasses = classes });
        double[] xd = Array.ConvertAll(x, v => (double)v);
        CheckAgainstFiniteDifferences(model.Parameters, loss, w => SequenceLoss(model, w, xd, steps, batch, lengths, values, classes));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ColdSampleIsTheArgmaxOfEvaluate(int layers)
    {
        var description = new NetworkDescription(CellKind.Lstm, 3, 5) { NumLayers = layers };
        var model = new SequenceModel(new SequenceModelOptions { Network = description, OutputSize = 4, Vocabulary = 4, Seed = 9 }, 2, 12);
        int[] prime = [1, 2];
        int[] generated = model.Sample(prime, 8, 1e-4f, 3);
        int[] all = [.. prime, .. generated];
        float[] logits = new float[all.Length * 4];
        model.Evaluate(new SequenceBatch { Steps = all.Length, Batch = 1, Tokens = all }, logits);
        for (int i = 0; i < generated.Length; i++)
        {
            int row = prime.Length - 1 + i, best = 0;
            for (int k = 1; k < 4; k++)
            {
                if (logits[(row * 4) + k] > logits[(row * 4) + best])
                {
                    best = k;
                }
            }

            Assert.Equal(best, generated[i]);
        }
    }

    [Fact]
    public void EvaluateHasNoDropoutAndMatchesAModelWithoutIt()
    {
        var description = new NetworkDescription(CellKind.Lstm, 2, 3) { NumLayers = 2 };
        var plain = new SequenceModel(new SequenceModelOptions { Network = description, OutputSize = 2, Seed = 5 }, 2, 5);
        var dropped = new SequenceModel(new SequenceModelOptions { Network = description, OutputSize = 2, Seed = 5, InputDropout = 0.3f, OutputDropout = 0.4f, LayerDropout = 0.5f }, 2, 5);
        float[] x = Random(20, 3);
        float[] y = Random(20, 4);
        float a = plain.Evaluate(new SequenceBatch { Steps = 5, Batch = 2, Features = x, TargetValues = y });
        dropped.ForwardBackward(new SequenceBatch { Steps = 5, Batch = 2, Features = x, TargetValues = y });
        float b = dropped.Evaluate(new SequenceBatch { Steps = 5, Batch = 2, Features = x, TargetValues = y });
        Assert.Equal(a, b);
    }

    [Fact]
    public void StatefulTrainingWithFinalStatePassedDirectlyMatchesACopy()
    {
        var description = new NetworkDescription(CellKind.Lstm, 2, 3) { NumLayers = 2, Bidirectional = false };
        float[] x = Random(2 * 6 * 2 * 2, 3);
        float[] y = Random(6 * 2 * 2, 4);
        float[] Run(bool copy)
        {
            var model = new SequenceModel(new SequenceModelOptions { Network = description, OutputSize = 2, Seed = 5 }, 2, 6);
            model.ForwardBackward(new SequenceBatch { Steps = 6, Batch = 2, Features = x.AsSpan(0, 24), TargetValues = y.AsSpan(0, 24) });
            float loss;
            if (copy)
            {
                float[] h = model.FinalHidden.ToArray(), c = model.FinalCell.ToArray();
                loss = model.ForwardBackward(new SequenceBatch { Steps = 6, Batch = 2, Features = x.AsSpan(24), TargetValues = y.AsSpan(0, 24), InitialHidden = h, InitialCell = c });
            }
            else
            {
                loss = model.ForwardBackward(new SequenceBatch { Steps = 6, Batch = 2, Features = x.AsSpan(24), TargetValues = y.AsSpan(0, 24), InitialHidden = model.FinalHidden, InitialCell = model.FinalCell });
            }

            var all = new List<float> { loss };
            foreach (Parameter p in model.Parameters)
            {
                all.AddRange(p.Gradient);
            }

            all.AddRange(model.FinalHidden.ToArray());
            return all.ToArray();
        }

        Assert.Equal(Run(true), Run(false));
    }
}

using System;
using System.Collections.Generic;
using Xunit;

namespace FastRnn.Tests.Reference;

/// <summary>Checks ReferenceNetwork.Backward against central finite differences of the loss
/// sum(output*gradOutput) + sum(h_n*gradHN) + sum(c_n*gradCN), for every input, h0, c0 and weight element.</summary>
public sealed class ReferenceGradientCheckTests
{
    private const int InputSize = 3;
    private const int HiddenSize = 4;
    private const int SeqLen = 4;
    private const int Batch = 3;
    private const double Eps = 1e-6;
    private const double Tolerance = 1e-6;

    [Theory]
    [InlineData(ReferenceMode.RnnTanh, ReferenceVariant.Standard, 0, true, false)]
    [InlineData(ReferenceMode.RnnTanh, ReferenceVariant.Standard, 0, false, true)]
    [InlineData(ReferenceMode.RnnRelu, ReferenceVariant.Standard, 0, true, false)]
    [InlineData(ReferenceMode.RnnRelu, ReferenceVariant.Standard, 0, false, true)]
    [InlineData(ReferenceMode.Lstm, ReferenceVariant.Standard, 0, true, false)]
    [InlineData(ReferenceMode.Lstm, ReferenceVariant.Standard, 0, false, true)]
    [InlineData(ReferenceMode.Lstm, ReferenceVariant.Peephole, 0, true, false)]
    [InlineData(ReferenceMode.Lstm, ReferenceVariant.Peephole, 0, false, true)]
    [InlineData(ReferenceMode.Lstm, ReferenceVariant.Standard, 2, true, false)]
    [InlineData(ReferenceMode.Lstm, ReferenceVariant.Standard, 2, false, true)]
    [InlineData(ReferenceMode.Gru, ReferenceVariant.Standard, 0, true, false)]
    [InlineData(ReferenceMode.Gru, ReferenceVariant.Standard, 0, false, true)]
    [InlineData(ReferenceMode.Gru, ReferenceVariant.ResetBefore, 0, true, false)]
    [InlineData(ReferenceMode.Gru, ReferenceVariant.ResetBefore, 0, false, true)]
    public void Backward_matches_finite_differences_two_layers_bidirectional_with_lengths(
        ReferenceMode mode, ReferenceVariant variant, int projSize, bool bias, bool batchFirst)
    {
        var cfg = new ReferenceConfig
        {
            Mode = mode,
            Variant = variant,
            InputSize = InputSize,
            HiddenSize = HiddenSize,
            ProjSize = projSize,
            NumLayers = 2,
            Bidirectional = true,
            Bias = bias,
            BatchFirst = batchFirst,
        };
        CheckGradients(cfg, [4, 2, 3], seed: 17);
    }

    [Theory]
    [InlineData(ReferenceMode.RnnTanh, ReferenceVariant.Standard, 0)]
    [InlineData(ReferenceMode.Lstm, ReferenceVariant.Peephole, 0)]
    [InlineData(ReferenceMode.Lstm, ReferenceVariant.Standard, 2)]
    [InlineData(ReferenceMode.Gru, ReferenceVariant.ResetBefore, 0)]
    public void Backward_matches_finite_differences_one_direction_full_length(
        ReferenceMode mode, ReferenceVariant variant, int projSize)
    {
        var cfg = new ReferenceConfig
        {
            Mode = mode,
            Variant = variant,
            InputSize = InputSize,
            HiddenSize = HiddenSize,
            ProjSize = projSize,
            NumLayers = 3,
            Bidirectional = false,
        };
        CheckGradients(cfg, null, seed: 5);
    }

    [Theory]
    [InlineData(ReferenceMode.RnnRelu)]
    [InlineData(ReferenceMode.Lstm)]
    [InlineData(ReferenceMode.Gru)]
    public void Null_states_and_lengths_mean_zeros_and_full_length(ReferenceMode mode)
    {
        var cfg = new ReferenceConfig
        {
            Mode = mode, InputSize = InputSize, HiddenSize = HiddenSize, NumLayers = 2, Bidirectional = true,
        };
        var rng = new Random(3);
        Dictionary<string, double[]> weights = RandomWeights(cfg, rng);
        double[] input = RandomArray(rng, SeqLen * Batch * InputSize, 1.0);
        int states = cfg.NumLayers * cfg.Directions;
        ReferenceForwardResult implicitZeros = ReferenceNetwork.Forward(cfg, weights, input, SeqLen, Batch, null, null, null);
        ReferenceForwardResult explicitZeros = ReferenceNetwork.Forward(
            cfg,
            weights,
            input,
            SeqLen,
            Batch,
            new double[states * Batch * HiddenSize],
            cfg.IsLstm ? new double[states * Batch * HiddenSize] : null,
            [SeqLen, SeqLen, SeqLen]);
        Assert.Equal(explicitZeros.Output, implicitZeros.Output);
        Assert.Equal(explicitZeros.HN, implicitZeros.HN);
        Assert.Equal(explicitZeros.CN, implicitZeros.CN);
    }

    [Fact]
    public void Outputs_past_the_length_are_zero_and_padding_has_no_effect()
    {
        var cfg = new ReferenceConfig
        {
            Mode = ReferenceMode.Lstm, InputSize = InputSize, HiddenSize = HiddenSize, Bidirectional = true,
        };
        var rng = new Random(11);
        Dictionary<string, double[]> weights = RandomWeights(cfg, rng);
        double[] input = RandomArray(rng, SeqLen * Batch * InputSize, 1.0);
        long[] lengths = [4, 1, 2];
        ReferenceForwardResult a = ReferenceNetwork.Forward(cfg, weights, input, SeqLen, Batch, null, null, lengths);
        double[] changed = (double[])input.Clone();
        int width = cfg.Directions * HiddenSize;
        for (int t = 0; t < SeqLen; t++)
        {
            for (int b = 0; b < Batch; b++)
            {
                if (t >= lengths[b])
                {
                    for (int j = 0; j < width; j++)
                    {
                        Assert.Equal(0.0, a.Output[(t * Batch + b) * width + j]);
                    }

                    for (int i = 0; i < InputSize; i++)
                    {
                        changed[(t * Batch + b) * InputSize + i] += 100.0;
                    }
                }
            }
        }

        ReferenceForwardResult b2 = ReferenceNetwork.Forward(cfg, weights, changed, SeqLen, Batch, null, null, lengths);
        Assert.Equal(a.Output, b2.Output);
        Assert.Equal(a.HN, b2.HN);
        Assert.Equal(a.CN, b2.CN);
    }

    private static void CheckGradients(ReferenceConfig cfg, long[]? lengths, int seed)
    {
        var rng = new Random(seed);
        int states = cfg.NumLayers * cfg.Directions;
        int hOut = cfg.OutputHidden;
        Dictionary<string, double[]> weights = RandomWeights(cfg, rng);
        double[] input = RandomArray(rng, SeqLen * Batch * cfg.InputSize, 1.0);
        double[] h0 = RandomArray(rng, states * Batch * hOut, 0.5);
        double[]? c0 = cfg.IsLstm ? RandomArray(rng, states * Batch * cfg.HiddenSize, 0.5) : null;

        // Cotangents are nonzero everywhere, padded positions included: those must be ignored.
        double[] gradOutput = RandomArray(rng, SeqLen * Batch * cfg.Directions * hOut, 1.0);
        double[] gradHN = RandomArray(rng, states * Batch * hOut, 1.0);
        double[]? gradCN = cfg.IsLstm ? RandomArray(rng, states * Batch * cfg.HiddenSize, 1.0) : null;

        double Loss()
        {
            ReferenceForwardResult r = ReferenceNetwork.Forward(cfg, weights, input, SeqLen, Batch, h0, c0, lengths);
            double loss = Dot(r.Output, gradOutput) + Dot(r.HN, gradHN);
            return r.CN is null ? loss : loss + Dot(r.CN, gradCN!);
        }

        ReferenceGradients grads = ReferenceNetwork.Backward(
            cfg, weights, input, SeqLen, Batch, h0, c0, lengths, gradOutput, gradHN, gradCN);

        var checks = new List<(string name, double[] values, double[] analytic)>
        {
            ("input", input, grads.GradInput),
            ("h0", h0, grads.GradH0),
        };
        if (c0 is not null)
        {
            checks.Add(("c0", c0, grads.GradC0!));
        }

        foreach ((string name, _) in cfg.WeightShapes())
        {
            checks.Add((name, weights[name], grads.GradWeights[name]));
        }

        Assert.Equal(new HashSet<string>(weights.Keys), new HashSet<string>(grads.GradWeights.Keys));
        var failures = new List<string>();
        int checkedCount = 0;
        foreach ((string name, double[] values, double[] analytic) in checks)
        {
            Assert.Equal(values.Length, analytic.Length);
            for (int i = 0; i < values.Length; i++)
            {
                double saved = values[i];
                values[i] = saved + Eps;
                double plus = Loss();
                values[i] = saved - Eps;
                double minus = Loss();
                values[i] = saved;
                double numeric = (plus - minus) / (2 * Eps);
                checkedCount++;
                if (!(Math.Abs(numeric - analytic[i]) <= Tolerance * Math.Max(1.0, Math.Abs(analytic[i]))))
                {
                    failures.Add($"{name}[{i}]: analytic {analytic[i]:R}, numeric {numeric:R}");
                }
            }
        }

        Assert.True(checkedCount > 100);
        Assert.True(failures.Count == 0, $"{cfg}: {failures.Count} mismatches, e.g. {string.Join("; ", failures.GetRange(0, Math.Min(5, failures.Count)))}");
    }

    private static Dictionary<string, double[]> RandomWeights(ReferenceConfig cfg, Random rng)
    {
        var weights = new Dictionary<string, double[]>();
        foreach ((string name, int[] shape) in cfg.WeightShapes())
        {
            int count = 1;
            foreach (int s in shape)
            {
                count *= s;
            }

            weights[name] = RandomArray(rng, count, 0.6);
        }

        return weights;
    }

    private static double[] RandomArray(Random rng, int count, double scale)
    {
        var v = new double[count];
        for (int i = 0; i < count; i++)
        {
            v[i] = scale * (2.0 * rng.NextDouble() - 1.0);
        }

        return v;
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0.0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }
}

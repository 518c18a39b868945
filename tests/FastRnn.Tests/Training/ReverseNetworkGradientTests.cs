using System;
using System.Collections.Generic;
using System.Linq;
using FastRnn.Networks;
using FastRnn.Tests.Networks;
using FastRnn.Tests.Reference;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>
/// A reverse network (ONNX <c>direction = reverse</c>, trainable on whole sequences) is the forward
/// network run over each sequence reversed within its length: every gradient must be the forward
/// network's on the reversed sequences (the input gradient reversed back). The reference and the
/// PyTorch cases have no reverse networks, so this is the check of their backward pass.
/// </summary>
public sealed class ReverseNetworkGradientTests
{
    [Theory]
    [InlineData(CellKind.Lstm, CellVariant.Standard, 0)]
    [InlineData(CellKind.Lstm, CellVariant.Peephole, 3)]
    [InlineData(CellKind.Gru, CellVariant.Standard, 0)]
    [InlineData(CellKind.Gru, CellVariant.ResetBefore, 0)]
    [InlineData(CellKind.RnnRelu, CellVariant.Standard, 0)]
    [InlineData(CellKind.RnnTanh, CellVariant.Standard, 0)]
    public void GradientsEqualTheForwardNetworksOnReversedSequences(CellKind kind, CellVariant variant, int projection)
    {
        const int steps = 5, batch = 3, inputSize = 4, hiddenSize = 6, layers = 2;
        int[] lengths = [5, 2, 4];
        foreach (bool batchFirst in new[] { false, true })
        {
            foreach (int threads in new[] { 1, 2 })
            {
                var forwardDescription = new NetworkDescription(kind, inputSize, hiddenSize) { Variant = variant, ProjectionSize = projection, NumLayers = layers, BatchFirst = batchFirst };
                RecurrentNetwork forward = RecurrentNetwork.CreateRandom(forwardDescription, 7);
                Dictionary<string, float[]> weights = forward.ParameterNames.ToDictionary(n => n, n => forward.GetParameter(n).ToArray());
                RecurrentNetwork reverse = RecurrentNetwork.Create(forwardDescription with { Reverse = true }, weights);
                int outputSize = forwardDescription.OutputSize, stateSize = forwardDescription.StateSize;
                bool lstm = kind == CellKind.Lstm;
                var random = new Random(3);
                float[] Random(int count) => NetworkFactory.ToFloat(NetworkFactory.RandomFloats(random, count, 1))!;
                float[] input = Random(steps * batch * inputSize);
                float[] gradOutput = Random(steps * batch * outputSize);
                float[] h0 = Random(layers * batch * stateSize);
                float[]? c0 = lstm ? Random(layers * batch * hiddenSize) : null;
                float[] gradHn = Random(layers * batch * stateSize);
                float[]? gradCn = lstm ? Random(layers * batch * hiddenSize) : null;

                // Step t of row b swaps with step length - 1 - t; padded steps stay.
                float[] Flip(float[] values, int size)
                {
                    float[] flipped = new float[values.Length];
                    for (int b = 0; b < batch; b++)
                    {
                        for (int t = 0; t < steps; t++)
                        {
                            int from = t < lengths[b] ? lengths[b] - 1 - t : t;
                            Array.Copy(values, At(from, b) * size, flipped, At(t, b) * size, size);
                        }
                    }

                    return flipped;
                }

                int At(int t, int b) => batchFirst ? (b * steps) + t : (t * batch) + b;

                Dictionary<string, float[]> actual = TrainingHarness.Gradients(reverse, input, steps, batch, h0, c0, lengths, gradOutput, gradHn, gradCn, threads);
                Dictionary<string, float[]> expected = TrainingHarness.Gradients(forward, Flip(input, inputSize), steps, batch, h0, c0, lengths, Flip(gradOutput, outputSize), gradHn, gradCn, threads);
                expected["grad.input"] = Flip(expected["grad.input"], inputSize);
                foreach ((string name, float[] e) in expected)
                {
                    double error = ReferenceTolerance.RelativeError(NetworkFactory.ToDouble(actual[name]), NetworkFactory.ToDouble(e));
                    Assert.True(error <= 1e-5, $"{name}: relative error {error:E3} (batch-first {batchFirst}, threads {threads})");
                }
            }
        }
    }
}

using System;
using System.Collections.Generic;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// What huge inputs do to an LSTM with a projection (src/FastRnn/README.md, "Guarantees", NaN and
/// infinities): its output h = W_hr (o ⊙ tanh c) is not a gate or a tanh, so it is not confined to
/// [-1, 1]; what holds is |h_j| ≤ Σ_k |W_hr[j, k]| (o and tanh c saturate inside [-1, 1]), with no NaN.
/// </summary>
public sealed class ProjectionSaturationTests
{
    private const int Steps = 4, Batch = 2, Input = 3, Hidden = 6, Projection = 2;

    [Fact]
    public void HugeInputsKeepAProjectedOutputWithinItsRowsOfWeightsNotWithinOne()
    {
        var d = new NetworkDescription(CellKind.Lstm, Input, Hidden) { ProjectionSize = Projection };
        RecurrentNetwork source = RecurrentNetwork.CreateRandom(d, 4);
        var values = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (string name in source.ParameterNames)
        {
            values[name] = source.GetParameter(name).ToArray();
        }

        // PyTorch's own initialisation for hidden_size 6 draws W_hr from U(-0.41, 0.41); a trained
        // projection is often larger. A row of 0.9s sums to 5.4.
        Array.Fill(values["weight_hr_l0"], 0.9f);
        RecurrentNetwork network = RecurrentNetwork.Create(d, values);

        float[] inputs = new float[Steps * Batch * Input];
        Array.Fill(inputs, 1e30f);
        float[] outputs = new float[Steps * Batch * Projection];
        network.Forward(network.CreateWorkspace(Batch, Steps), inputs, Steps, Batch, outputs);

        float bound = Hidden * 0.9f;
        float largest = 0f;
        foreach (float value in outputs)
        {
            Assert.False(float.IsNaN(value));
            Assert.True(MathF.Abs(value) <= bound * (1 + 1e-6f), $"{value} beyond the bound {bound}");
            largest = MathF.Max(largest, MathF.Abs(value));
        }

        Assert.True(largest > 1f, $"the projection's output stayed within [-1, 1] (largest {largest})");
    }
}

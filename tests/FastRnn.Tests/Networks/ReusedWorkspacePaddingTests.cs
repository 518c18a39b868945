using System;
using FastRnn.Layers;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// Outputs past a sequence's length are zero in every call, not only in a workspace's first: a workspace
/// keeps its layer outputs between calls, so a call with shorter lengths after one with longer ones must
/// clear the positions the earlier call wrote. A reused workspace gives what a new one gives, bit for bit.
/// </summary>
public sealed class ReusedWorkspacePaddingTests
{
    [Theory]
    [InlineData(CellKind.Lstm, false, false)]
    [InlineData(CellKind.Gru, true, false)]
    [InlineData(CellKind.RnnTanh, true, true)]
    public void OutputsPastEachLengthAreZeroWhenAWorkspaceIsReused(CellKind kind, bool bidirectional, bool batchFirst)
    {
        const int steps = 5, batch = 3;
        var d = new NetworkDescription(kind, 7, 20) { NumLayers = 2, Bidirectional = bidirectional, BatchFirst = batchFirst };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(d, 5);
        float[] input = new float[steps * batch * d.InputSize];
        var random = new Random(2);
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (float)((random.NextDouble() * 2.0) - 1.0);
        }

        int width = d.OutputSize;
        int[] shorter = [steps, 2, 4];
        SequenceWorkspace reused = network.CreateWorkspace(batch, steps);
        float[] first = new float[steps * batch * width];
        network.Forward(reused, input, steps, batch, first, lengths: new[] { steps, steps, steps });
        float[] again = new float[steps * batch * width];
        network.Forward(reused, input, steps, batch, again, lengths: shorter);

        float[] fresh = new float[again.Length];
        network.Forward(network.CreateWorkspace(batch, steps), input, steps, batch, fresh, lengths: shorter);
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < batch; b++)
            {
                int at = (batchFirst ? (b * steps) + t : (t * batch) + b) * width;
                for (int j = 0; j < width; j++)
                {
                    if (t >= shorter[b])
                    {
                        Assert.True(again[at + j] == 0f, $"{kind}: step {t} of row {b} (length {shorter[b]}) output {j} is {again[at + j]} after a longer call, expected 0");
                    }

                    Assert.True(
                        BitConverter.SingleToInt32Bits(fresh[at + j]) == BitConverter.SingleToInt32Bits(again[at + j]),
                        $"{kind}: step {t} of row {b} output {j} is {again[at + j]} in a reused workspace, {fresh[at + j]} in a new one");
                }
            }
        }
    }
}

using System;
using FastRnn.Memory;
using FastRnn.Networks;
using FastRnn.Sessions;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// Rows of a batched session step split between threads in proportion to their measured speed
/// (PartBalance) give the same bits as one thread, whichever thread is taken for the slower one, with
/// the balance skewed before the steps so the split is really uneven.
/// </summary>
public sealed class BalancedRowSplitTests
{
    private const int Input = 24, Hidden = 96;

    [Theory]
    [InlineData("lstm", 0)]
    [InlineData("lstm", 1)]
    [InlineData("gru", 1)]
    [InlineData("gru-reset-before", 0)]
    [InlineData("lstm-projection", 1)]
    [InlineData("rnn-tanh", 0)]
    public void BatchedStepsWithAnUnevenRowSplitMatchOneThread(string cell, int slowPart)
    {
        RecurrentNetwork network = Network(cell);
        NetworkDescription d = network.Description;
        int[] batches = [64, 37, 64, 20, 64];
        const int maxBatch = 64;
        float[] input = SharedStepTests.Inputs(batches.Length * maxBatch * d.InputSize, 3);
        float[] one = Run(network.CreateSession(maxBatch, 1), batches, input, maxBatch);

        StreamingSession two = network.CreateSession(maxBatch, 2);
        PartBalance balance = two.RowBalance ?? throw new InvalidOperationException($"{cell}: no layer of the session is split at {maxBatch} rows");
        Skew(balance, slowPart);
        (int first, int end) = balance.Share(16, 2, 1 - slowPart);
        Assert.True(end - first >= 11, $"{cell}: the faster thread gets {end - first} of 16 row blocks");
        float[] split = Run(two, batches, input, maxBatch);
        Assert.True(one.AsSpan().SequenceEqual(split), $"{cell}: an uneven split (part {slowPart} slower) differs from one thread");
    }

    // Tells the balance, over many runs, that `slowPart` takes three times as long an item.
    private static void Skew(PartBalance balance, int slowPart)
    {
        for (int run = 0; run < 40; run++)
        {
            balance.Record(slowPart, 300, 1);
            balance.Record(1 - slowPart, 100, 1);
            balance.Update(2);
        }
    }

    // Steps of the given batches, then the whole state: everything a caller can read.
    private static float[] Run(StreamingSession session, int[] batches, float[] input, int maxBatch)
    {
        NetworkDescription d = session.Description;
        float[] outputs = new float[batches.Length * maxBatch * d.StateSize];
        for (int t = 0; t < batches.Length; t++)
        {
            int batch = batches[t];
            session.Step(input.AsSpan(t * maxBatch * d.InputSize, batch * d.InputSize), batch, outputs.AsSpan(t * maxBatch * d.StateSize, batch * d.StateSize));
        }

        float[] state = new float[d.NumLayers * maxBatch * d.StateSize];
        float[] cellState = new float[d.HasCellState ? d.NumLayers * maxBatch * d.HiddenSize : 0];
        session.GetState(state, cellState, maxBatch);
        return [.. outputs, .. state, .. cellState];
    }

    private static RecurrentNetwork Network(string cell)
    {
        NetworkDescription d = cell switch
        {
            "lstm" => new NetworkDescription(CellKind.Lstm, Input, Hidden),
            "lstm-projection" => new NetworkDescription(CellKind.Lstm, Input, Hidden) { ProjectionSize = 72 },
            "gru" => new NetworkDescription(CellKind.Gru, Input, Hidden),
            "gru-reset-before" => new NetworkDescription(CellKind.Gru, Input, Hidden) { Variant = CellVariant.ResetBefore },
            _ => new NetworkDescription(CellKind.RnnTanh, Input, 2 * Hidden),
        };
        return RecurrentNetwork.CreateRandom(d with { NumLayers = 2 }, 17);
    }
}

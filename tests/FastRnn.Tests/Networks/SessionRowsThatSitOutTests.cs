using System;
using FastRnn.Networks;
using FastRnn.Sessions;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// A session's step of fewer rows than before (4 → 2 → 4) steps rows 0..batch-1 only: the rows that
/// sit out keep their state, so every row is exactly the stream of the steps it took, as if run in a
/// session of its own. Checked against one-row sessions (not only against another thread count) for
/// every cell, weight format, one and two threads, steps split by output units (a few rows) and by
/// rows (40 rows), where the new state goes to a spare buffer or is written in place.
/// </summary>
public sealed class SessionRowsThatSitOutTests
{
    [Theory]
    [MemberData(nameof(StreamCells.KindsAndFormats), MemberType = typeof(StreamCells))]
    public void RowsThatSitOutAStepKeepTheirStateBitForBit(CellKind kind, CellVariant variant, bool projection, WeightFormat format)
    {
        foreach (int hidden in new[] { 7, 200 })
        {
            RecurrentNetwork network = StreamCells.Network(kind, variant, projection, format, hidden);
            NetworkDescription d = network.Description;
            var random = new Random(4);
            foreach (int threads in new[] { 1, 2 })
            {
                foreach (int maxBatch in new[] { 4, 40 })
                {
                    using StreamingSession session = network.CreateSession(maxBatch, threads);
                    int half = maxBatch / 2;
                    float[] first = StreamCells.Uniform(random, maxBatch * d.InputSize), second = StreamCells.Uniform(random, half * d.InputSize);
                    float[] third = StreamCells.Uniform(random, maxBatch * d.InputSize);
                    float[] output = new float[maxBatch * d.StateSize];
                    session.Step(first, maxBatch, output);
                    session.Step(second, half, output.AsSpan(0, half * d.StateSize));
                    session.Step(third, maxBatch, output);
                    float[] hidden1 = new float[d.NumLayers * maxBatch * d.StateSize], cell1 = new float[d.HasCellState ? d.NumLayers * maxBatch * d.HiddenSize : 0];
                    session.GetState(hidden1, cell1, maxBatch);

                    for (int b = 0; b < maxBatch; b++)
                    {
                        StreamingSession alone = network.CreateSession();
                        float[] own = new float[d.StateSize];
                        alone.Step(first.AsSpan(b * d.InputSize, d.InputSize), 1, own);
                        if (b < half)
                        {
                            alone.Step(second.AsSpan(b * d.InputSize, d.InputSize), 1, own);
                        }

                        alone.Step(third.AsSpan(b * d.InputSize, d.InputSize), 1, own);
                        string where = $"{kind} {variant} proj {projection} {format} H {hidden}, {threads} threads, max batch {maxBatch}, row {b}";
                        Assert.True(own.AsSpan().SequenceEqual(output.AsSpan(b * d.StateSize, d.StateSize)), where);
                        float[] ownHidden = new float[d.NumLayers * d.StateSize], ownCell = new float[d.HasCellState ? d.NumLayers * d.HiddenSize : 0];
                        alone.GetState(ownHidden, ownCell, 1);
                        for (int layer = 0; layer < d.NumLayers; layer++)
                        {
                            Assert.True(ownHidden.AsSpan(layer * d.StateSize, d.StateSize).SequenceEqual(hidden1.AsSpan(((layer * maxBatch) + b) * d.StateSize, d.StateSize)), $"{where}, h of layer {layer}");
                            Assert.True(ownCell.AsSpan().IsEmpty || ownCell.AsSpan(layer * d.HiddenSize, d.HiddenSize).SequenceEqual(cell1.AsSpan(((layer * maxBatch) + b) * d.HiddenSize, d.HiddenSize)), $"{where}, c of layer {layer}");
                        }
                    }
                }
            }
        }
    }
}

using System;
using FastRnn.Networks;
using FastRnn.Sessions;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// With per-sequence lengths (PyTorch's packed sequences), a short sequence's final state, h_n and
/// c_n of every layer and direction, is its state at its own last step, and its outputs past its
/// length are zero (as pad_packed_sequence gives) even where the output buffer held other values;
/// every row is exactly the sequence of its own length run alone. Checked with fewer rows than
/// threads (each step shared by output units, steps after a row ended run in place), forward,
/// bidirectional and reverse networks, float32 and int8; and, time-major and batch-first, against
/// one-row streaming sessions.
/// </summary>
public sealed class ShortSequenceFinalStateTests
{
    private const int Steps = 7;

    [Theory]
    [InlineData(CellKind.RnnTanh, CellVariant.Standard, false)]
    [InlineData(CellKind.Lstm, CellVariant.Standard, false)]
    [InlineData(CellKind.Lstm, CellVariant.Peephole, false)]
    [InlineData(CellKind.Lstm, CellVariant.Standard, true)]
    [InlineData(CellKind.Gru, CellVariant.Standard, false)]
    [InlineData(CellKind.Gru, CellVariant.ResetBefore, false)]
    public void EachRowEndsAtItsOwnLengthOnFourThreads(CellKind kind, CellVariant variant, bool projection)
    {
        foreach ((bool bidirectional, bool reverse) in new[] { (false, false), (true, false), (false, true) })
        {
            foreach (WeightFormat format in new[] { WeightFormat.Float32, WeightFormat.Int8 })
            {
                RecurrentNetwork network = StreamCells.Network(kind, variant, projection, format, 160, bidirectional: bidirectional, reverse: reverse);
                NetworkDescription d = network.Description;
                var random = new Random(8);
                int slots = d.NumLayers * d.Directions;
                foreach (int[] lengths in new[] { new[] { 3, 7 }, new[] { 7, 2, 5 } })
                {
                    int batch = lengths.Length;
                    float[] input = StreamCells.Uniform(random, Steps * batch * d.InputSize, 2);
                    float[] h0 = StreamCells.Uniform(random, slots * batch * d.StateSize);
                    float[] c0 = d.HasCellState ? StreamCells.Uniform(random, slots * batch * d.HiddenSize) : [];
                    float[] output = StreamCells.Uniform(random, Steps * batch * d.OutputSize), hn = new float[h0.Length], cn = new float[c0.Length];
                    using (var workspace = network.CreateWorkspace(batch, Steps, threads: 4))
                    {
                        network.Forward(workspace, input, Steps, batch, output, new InitialState(h0, c0), new FinalState(hn, cn), lengths);
                    }

                    for (int b = 0; b < batch; b++)
                    {
                        string where = $"{kind} {variant} proj {projection} {format} bidirectional {bidirectional} reverse {reverse}, lengths [{string.Join(", ", lengths)}], row {b}";
                        int length = lengths[b];
                        float[] rowInput = new float[length * d.InputSize];
                        for (int t = 0; t < length; t++)
                        {
                            input.AsSpan(((t * batch) + b) * d.InputSize, d.InputSize).CopyTo(rowInput.AsSpan(t * d.InputSize));
                        }

                        float[] rowH0 = Rows(h0, slots, batch, b, d.StateSize), rowC0 = Rows(c0, slots, batch, b, d.HiddenSize);
                        float[] rowOutput = new float[length * d.OutputSize], rowHn = new float[rowH0.Length], rowCn = new float[rowC0.Length];
                        network.Forward(network.CreateWorkspace(1, length), rowInput, length, 1, rowOutput, new InitialState(rowH0, rowC0), new FinalState(rowHn, rowCn));
                        for (int t = 0; t < Steps; t++)
                        {
                            ReadOnlySpan<float> got = output.AsSpan(((t * batch) + b) * d.OutputSize, d.OutputSize);
                            Assert.True(t < length ? got.SequenceEqual(rowOutput.AsSpan(t * d.OutputSize, d.OutputSize)) : !got.ContainsAnyExcept(0f), $"{where}: output at step {t}");
                        }

                        Assert.True(Rows(hn, slots, batch, b, d.StateSize).AsSpan().SequenceEqual(rowHn), $"{where}: h_n");
                        Assert.True(Rows(cn, slots, batch, b, d.HiddenSize).AsSpan().SequenceEqual(rowCn), $"{where}: c_n");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(StreamCells.KindsAndFormats), MemberType = typeof(StreamCells))]
    public void AShortSequenceEndsInTheStateItsStreamedStepsReach(CellKind kind, CellVariant variant, bool projection, WeightFormat format)
    {
        foreach (bool batchFirst in new[] { false, true })
        {
            RecurrentNetwork network = StreamCells.Network(kind, variant, projection, format, 33, batchFirst: batchFirst);
            NetworkDescription d = network.Description;
            var random = new Random(5);
            const int batch = 5;
            int[] lengths = [4, 1, 7, 7, 2];
            float[] input = StreamCells.Uniform(random, Steps * batch * d.InputSize, 2);
            float[] h0 = StreamCells.Uniform(random, d.NumLayers * batch * d.StateSize);
            float[] c0 = d.HasCellState ? StreamCells.Uniform(random, d.NumLayers * batch * d.HiddenSize) : [];
            float[] output = StreamCells.Uniform(random, Steps * batch * d.OutputSize), hn = new float[h0.Length], cn = new float[c0.Length];
            network.Forward(network.CreateWorkspace(batch, Steps), input, Steps, batch, output, new InitialState(h0, c0), new FinalState(hn, cn), lengths);
            for (int b = 0; b < batch; b++)
            {
                string where = $"{kind} {variant} proj {projection} {format} batch-first {batchFirst}, row {b}";
                StreamingSession session = network.CreateSession();
                session.SetState(Rows(h0, d.NumLayers, batch, b, d.StateSize), Rows(c0, d.NumLayers, batch, b, d.HiddenSize), 1);
                float[] step = new float[d.StateSize];
                for (int t = 0; t < Steps; t++)
                {
                    int x = batchFirst ? ((b * Steps) + t) * d.InputSize : ((t * batch) + b) * d.InputSize;
                    int y = batchFirst ? ((b * Steps) + t) * d.OutputSize : ((t * batch) + b) * d.OutputSize;
                    if (t < lengths[b])
                    {
                        session.Step(input.AsSpan(x, d.InputSize), 1, step);
                        Assert.True(step.AsSpan().SequenceEqual(output.AsSpan(y, d.OutputSize)), $"{where}: step {t}");
                    }
                    else
                    {
                        Assert.False(output.AsSpan(y, d.OutputSize).ContainsAnyExcept(0f), $"{where}: output past the length at step {t}");
                    }
                }

                float[] h = new float[d.NumLayers * d.StateSize], c = new float[d.HasCellState ? d.NumLayers * d.HiddenSize : 0];
                session.GetState(h, c, 1);
                Assert.True(Rows(hn, d.NumLayers, batch, b, d.StateSize).AsSpan().SequenceEqual(h), $"{where}: h_n");
                Assert.True(Rows(cn, d.NumLayers, batch, b, d.HiddenSize).AsSpan().SequenceEqual(c), $"{where}: c_n");
            }
        }
    }

    // Row b of every slot of [slots, batch, size], as [slots, 1, size].
    private static float[] Rows(float[] state, int slots, int batch, int b, int size)
    {
        if (state.Length == 0)
        {
            return [];
        }

        float[] row = new float[slots * size];
        for (int s = 0; s < slots; s++)
        {
            state.AsSpan(((s * batch) + b) * size, size).CopyTo(row.AsSpan(s * size));
        }

        return row;
    }
}

using System;
using FastRnn.Networks;
using FastRnn.Sessions;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// A session's state is the whole-sequence call's state: stepping T frames from (h_0, c_0) gives
/// Forward's outputs and (h_n, c_n) bit for bit on one and two threads and in every weight format
/// (bf16 included), for a batch of 1, a few rows (split by units) and 40 (split by rows); and the
/// state read with GetState, set into another session made for more streams (so its rows are laid out
/// [L, batch, H] with batch below the session's maximum), continues the stream bit for bit.
/// </summary>
public sealed class SessionStateTransferTests
{
    private const int Steps = 5;

    [Theory]
    [MemberData(nameof(StreamCells.KindsAndFormats), MemberType = typeof(StreamCells))]
    public void StepsEqualTheSequenceAndTheStateMovesToAnotherSession(CellKind kind, CellVariant variant, bool projection, WeightFormat format)
    {
        foreach (int hidden in new[] { 7, 200 })
        {
            RecurrentNetwork network = StreamCells.Network(kind, variant, projection, format, hidden);
            NetworkDescription d = network.Description;
            var random = new Random(3);
            foreach (int threads in new[] { 1, 2 })
            {
                foreach (int batch in new[] { 1, 3, 40 })
                {
                    string where = $"{kind} {variant} proj {projection} {format} H {hidden}, {threads} threads, batch {batch}";
                    float[] input = StreamCells.Uniform(random, Steps * batch * d.InputSize, 2);
                    float[] h0 = StreamCells.Uniform(random, d.NumLayers * batch * d.StateSize);
                    float[] c0 = d.HasCellState ? StreamCells.Uniform(random, d.NumLayers * batch * d.HiddenSize) : [];
                    float[] output = new float[Steps * batch * d.OutputSize], hn = new float[h0.Length], cn = new float[c0.Length];
                    using (var workspace = network.CreateWorkspace(batch, Steps, threads))
                    {
                        network.Forward(workspace, input, Steps, batch, output, new InitialState(h0, c0), new FinalState(hn, cn));
                    }

                    using StreamingSession session = network.CreateSession(batch, threads);
                    session.SetState(h0, c0, batch);
                    float[] step = new float[batch * d.StateSize];
                    for (int t = 0; t < Steps; t++)
                    {
                        session.Step(input.AsSpan(t * batch * d.InputSize, batch * d.InputSize), batch, step);
                        Assert.True(step.AsSpan().SequenceEqual(output.AsSpan(t * batch * d.OutputSize, batch * d.OutputSize)), $"{where}: step {t}");
                    }

                    float[] h = new float[hn.Length], c = new float[cn.Length];
                    session.GetState(h, c, batch);
                    Assert.True(h.AsSpan().SequenceEqual(hn), $"{where}: h_n");
                    Assert.True(c.AsSpan().SequenceEqual(cn), $"{where}: c_n");

                    using StreamingSession other = network.CreateSession(batch + 3, threads);
                    other.SetState(h, c, batch);
                    float[] next = StreamCells.Uniform(random, batch * d.InputSize);
                    float[] expected = new float[step.Length], actual = new float[step.Length];
                    session.Step(next, batch, expected);
                    other.Step(next, batch, actual);
                    Assert.True(expected.AsSpan().SequenceEqual(actual), $"{where}: the step after the move");
                }
            }
        }
    }
}

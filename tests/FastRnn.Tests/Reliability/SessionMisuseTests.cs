using System;
using FastRnn.Networks;
using FastRnn.Sessions;
using Xunit;

namespace FastRnn.Tests.Reliability;

/// <summary><see cref="StreamingSession"/> refuses malformed calls with messages naming the expected and actual values.</summary>
public sealed class SessionMisuseTests
{
    private const int Input = 3, Hidden = 4, Layers = 2, MaxBatch = 2;
    private readonly RecurrentNetwork lstm = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, Input, Hidden) { NumLayers = Layers }, 1);
    private readonly RecurrentNetwork gru = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Gru, Input, Hidden), 2);

    [Fact]
    public void StepRefusesBatchesBeyondTheSessionAndWrongLengthsWithoutWritingOrSteppingAnything()
    {
        StreamingSession session = lstm.CreateSession(MaxBatch);
        (float[] h, float[] c) = StartFromAKnownState(session);
        float[] wide = Misuse.Sentinels(3 * Hidden), output = Misuse.Sentinels(2 * Hidden), shortOutput = Misuse.Sentinels(7);
        Misuse.Refused<ArgumentOutOfRangeException>(() => session.Step(new float[3 * Input], 3, wide), "1..2", "Actual value was 3");
        Misuse.Refused<ArgumentOutOfRangeException>(() => session.Step(ReadOnlySpan<float>.Empty, 0, Span<float>.Empty), "Actual value was 0");
        Misuse.Refused(() => session.Step(new float[5], 2, output), "input [2, 3] = 6 floats, got 5");
        Misuse.Refused(() => session.Step(new float[2 * Input], 2, shortOutput), "output [2, 4] = 8 floats, got 7");
        Misuse.Untouched(wide, output, shortOutput);
        AssertState(session, h, c);
    }

    [Fact]
    public void StatesOfTheWrongShapeAreRefusedWithoutChangingTheSessionOrTheOutputs()
    {
        StreamingSession session = lstm.CreateSession(MaxBatch);
        (float[] knownH, float[] knownC) = StartFromAKnownState(session);
        float[] h = new float[Layers * MaxBatch * Hidden], c = new float[Layers * MaxBatch * Hidden];
        Misuse.Refused(() => session.SetState(new float[3], c, MaxBatch), "hidden state [2, 2, 4] = 16 floats, got 3");
        Misuse.Refused(() => session.SetState(h, new float[3], MaxBatch), "cell state [2, 2, 4] = 16 floats, got 3");
        Misuse.Refused<ArgumentOutOfRangeException>(() => session.SetState(h, c, 3), "1..2", "Actual value was 3");
        AssertState(session, knownH, knownC);

        float[] outH = Misuse.Sentinels(h.Length), outC = Misuse.Sentinels(c.Length), shortH = Misuse.Sentinels(15);
        Misuse.Refused(() => session.GetState(outH, Span<float>.Empty, MaxBatch), "cell state [2, 2, 4]");
        Misuse.Refused(() => session.GetState(shortH, outC, MaxBatch), "16 floats, got 15");
        Misuse.Untouched(outH, outC, shortH);
        StreamingSession gruSession = gru.CreateSession(1);
        Misuse.Refused(() => gruSession.SetState(new float[Hidden], new float[Hidden], 1), "Gru network has no cell state");
    }

    [Fact]
    public void GetStateRefusesAHiddenAndCellOutputSharingMemory()
    {
        StreamingSession session = lstm.CreateSession(MaxBatch);
        float[] both = Misuse.Sentinels((2 * Layers * MaxBatch * Hidden) - 1);
        Misuse.Refused(() => session.GetState(both.AsSpan(0, 16), both.AsSpan(15, 16), MaxBatch), "hiddenState (16 floats) and cellState (16 floats) overlap");
        Misuse.Untouched(both);
    }

    // A non-zero state, so a refused call that reset or stepped the session would show.
    private static (float[] H, float[] C) StartFromAKnownState(StreamingSession session)
    {
        float[] h = new float[Layers * MaxBatch * Hidden], c = new float[h.Length];
        for (int i = 0; i < h.Length; i++)
        {
            h[i] = 0.01f * (i + 1);
            c[i] = -0.02f * (i + 1);
        }

        session.SetState(h, c, MaxBatch);
        return (h, c);
    }

    private static void AssertState(StreamingSession session, float[] h, float[] c)
    {
        float[] actualH = new float[h.Length], actualC = new float[c.Length];
        session.GetState(actualH, actualC, MaxBatch);
        Assert.Equal(h, actualH);
        Assert.Equal(c, actualC);
    }

    [Fact]
    public void BidirectionalNetworksCannotStreamAndSessionsNeedABatch()
    {
        RecurrentNetwork bidirectional = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Gru, Input, Hidden) { Bidirectional = true }, 3);
        Misuse.Refused<NotSupportedException>(() => bidirectional.CreateSession(), "bidirectional");
        Misuse.Refused<ArgumentOutOfRangeException>(() => lstm.CreateSession(0), "maxBatch", "0");
    }

    [Fact]
    public void AnInputThatPartlyOverlapsTheOutputIsRefusedBeforeAnythingIsWritten()
    {
        // Split by rows on two threads, one thread would write its rows' outputs over rows another still reads.
        RecurrentNetwork square = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Gru, Hidden, Hidden), 5);
        StreamingSession session = square.CreateSession(MaxBatch, threads: 2);
        float[] both = Misuse.Sentinels(3 * Hidden);
        Misuse.Refused(() => session.Step(both.AsSpan(0, 2 * Hidden), 2, both.AsSpan(Hidden, 2 * Hidden)), "input (8 floats) and output (8 floats) overlap");
        Misuse.Untouched(both);
    }

    [Fact]
    public void ASessionWhoseBuffersWouldOverflowIsRefusedNamingTheBatch()
    {
        // The gate buffer is the widest, 4 · Hp floats a row: at least 16 on every path (Hp = H = 4 in scalar code).
        Misuse.Refused<ArgumentOutOfRangeException>(() => lstm.CreateSession((1 << 27) + 1), "maxBatch", "more than 2147483647 floats", "use a smaller batch");
        Misuse.Refused<ArgumentOutOfRangeException>(() => lstm.CreateSession(int.MaxValue), "maxBatch", "more than 2147483647 floats");
    }

    [Fact]
    public void StatesOfTheWrongShapeNameTheirParameter()
    {
        StreamingSession session = lstm.CreateSession(MaxBatch);
        float[] h = new float[Layers * MaxBatch * Hidden], c = new float[h.Length];
        Assert.Equal("hiddenState", Assert.Throws<ArgumentException>(() => session.SetState(new float[3], c, MaxBatch)).ParamName);
        Assert.Equal("cellState", Assert.Throws<ArgumentException>(() => session.GetState(h, new float[3], MaxBatch)).ParamName);
    }

    [Fact]
    public void TheInputMayBeTheOutputOfAStep()
    {
        RecurrentNetwork square = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Gru, Hidden, Hidden), 4);
        float[] x = [0.5f, -0.25f, 1f, 0.125f];
        float[] expected = new float[Hidden];
        square.CreateSession().Step(x, 1, expected);
        square.CreateSession().Step(x, 1, x);
        Assert.Equal(expected, x);
    }
}

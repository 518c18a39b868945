// xUnit1051: the steps' own tokens are what these tests are about (CancellationToken.None where the
// batcher's pooled path is measured); CA2012: ValueTasks are held on purpose, to queue several steps
// before awaiting, each awaited exactly once.
#pragma warning disable xUnit1051, CA2012
using System;
using System.Buffers.Binary;
using FastRnn.Networks;
using FastRnn.Serving;
using FastRnn.Sessions;
using Xunit;

namespace FastRnn.Tests.Serving;

/// <summary>A stream's state moves between batchers as bytes, and bytes of another shape are refused.</summary>
public sealed class BatcherTransferTests
{
    [Theory]
    [InlineData("lstm-projection-2-layers")]
    [InlineData("gru-reset-before-2-layers")]
    [InlineData("rnn-tanh")]
    public void AnExportedStreamContinuesInAnotherBatcherAsInOneSession(string name)
    {
        RecurrentNetwork network = ServingFixtures.Network(name);
        NetworkDescription d = network.Description;
        var random = new Random(7);
        using var source = new StreamBatcher(network, new StreamBatcherOptions { MaxStreams = 2, MaxBatch = 2 });
        using var target = new StreamBatcher(network, new StreamBatcherOptions { MaxStreams = 3, MaxBatch = 3, Threads = 2 });
        StreamingSession reference = network.CreateSession();
        StreamHandle moving = source.Open();
        float[] output = new float[d.StateSize], expected = new float[d.StateSize];
        for (int t = 0; t < 4; t++)
        {
            float[] frame = ServingFixtures.RandomFloats(random, d.InputSize);
            source.Step(moving, frame, output);
            reference.Step(frame, 1, expected);
        }

        byte[] state = source.ExportState(moving);
        Assert.Equal(source.ExportedStateBytes, state.Length);
        Assert.Equal(32 + (4 * ((d.NumLayers * d.StateSize) + ServingFixtures.CellFloats(d))), state.Length);
        Assert.True(source.Close(moving));
        target.Open();
        StreamHandle moved = target.ImportState(state);
        for (int t = 0; t < 4; t++)
        {
            float[] frame = ServingFixtures.RandomFloats(random, d.InputSize);
            target.Step(moved, frame, output);
            reference.Step(frame, 1, expected);
            ServingFixtures.AssertBitIdentical(expected, output, $"step {t} after the move");
        }
    }

    [Fact]
    public void StatesOfAnotherShapeOrFormatAreRefusedAndOpenNothing()
    {
        RecurrentNetwork lstm = ServingFixtures.Create(new NetworkDescription(CellKind.Lstm, 3, 8), 1);
        RecurrentNetwork wider = ServingFixtures.Create(new NetworkDescription(CellKind.Lstm, 3, 9), 1);
        RecurrentNetwork gru = ServingFixtures.Create(new NetworkDescription(CellKind.Gru, 3, 8), 1);
        using var source = new StreamBatcher(lstm, new StreamBatcherOptions { MaxStreams = 1, MaxBatch = 1 });
        using var target = new StreamBatcher(wider, new StreamBatcherOptions { MaxStreams = 1, MaxBatch = 1 });
        using var other = new StreamBatcher(gru, new StreamBatcherOptions { MaxStreams = 1, MaxBatch = 1 });
        byte[] state = source.ExportState(source.Open());

        var error = Assert.Throws<FastRnnFormatException>(() => target.ImportState(state));
        Assert.Contains("Lstm (Standard) network with input 3, hidden 8, state 8, 1 layers", error.Message, StringComparison.Ordinal);
        Assert.Contains("this batcher runs a Lstm (Standard) network with input 3, hidden 9, state 9, 1 layers", error.Message, StringComparison.Ordinal);
        Assert.Throws<FastRnnFormatException>(() => other.ImportState(state));
        Assert.Equal(0, target.OpenStreams);

        error = Assert.Throws<FastRnnFormatException>(() => source.ImportState(state.AsSpan(0, 20)));
        Assert.Contains("32-byte header; got 20 bytes", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<FastRnnFormatException>(() => source.ImportState(state.AsSpan(0, state.Length - 4)));
        Assert.Contains($"Expected {state.Length} bytes", error.Message, StringComparison.Ordinal);

        byte[] bad = (byte[])state.Clone();
        bad[0] = (byte)'X';
        error = Assert.Throws<FastRnnFormatException>(() => source.ImportState(bad));
        Assert.Contains("Not a FastRnn stream state", error.Message, StringComparison.Ordinal);
        bad = (byte[])state.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(bad.AsSpan(4), 2);
        error = Assert.Throws<FastRnnFormatException>(() => source.ImportState(bad));
        Assert.Contains("version 2", error.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentException>(() => source.ExportState(default(StreamHandle), new byte[state.Length]));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(11)]
    public void AStateWithReservedHeaderBytesSetIsRefusedAndOpensNothing(int offset)
    {
        RecurrentNetwork network = ServingFixtures.Network("lstm");
        using var batcher = new StreamBatcher(network, new StreamBatcherOptions { MaxStreams = 2, MaxBatch = 1 });
        byte[] state = batcher.ExportState(batcher.Open());
        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(state.AsSpan(10)));
        state[offset] = 0x80;

        var error = Assert.Throws<FastRnnFormatException>(() => batcher.ImportState(state));
        Assert.Contains($"reserved header bytes 10..11 of the stream state are 0x{(offset == 10 ? "0080" : "8000")}", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, batcher.OpenStreams);
    }

    [Fact]
    public void TheHeaderIsLittleEndianWithTheDescriptionsSizes()
    {
        RecurrentNetwork network = ServingFixtures.Network("lstm-projection-2-layers"); // I 6, H 11, P 4, L 2
        using var batcher = new StreamBatcher(network, new StreamBatcherOptions { MaxStreams = 1, MaxBatch = 1 });
        float[] hidden = [1, 2, 3, 4, 5, 6, 7, 8], cell = new float[22];
        cell[21] = -2.5f;
        byte[] state = batcher.ExportState(batcher.Open(hidden, cell));
        Assert.Equal("FRSS"u8.ToArray(), state[..4]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(state.AsSpan(4)));
        Assert.Equal(32, BinaryPrimitives.ReadUInt16LittleEndian(state.AsSpan(6)));
        Assert.Equal((byte)CellKind.Lstm, state[8]);
        Assert.Equal(6, BinaryPrimitives.ReadInt32LittleEndian(state.AsSpan(12)));
        Assert.Equal(11, BinaryPrimitives.ReadInt32LittleEndian(state.AsSpan(16)));
        Assert.Equal(4, BinaryPrimitives.ReadInt32LittleEndian(state.AsSpan(20)));
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(state.AsSpan(24)));
        Assert.Equal(30, BinaryPrimitives.ReadInt32LittleEndian(state.AsSpan(28)));
        Assert.Equal(1f, BinaryPrimitives.ReadSingleLittleEndian(state.AsSpan(32)));
        Assert.Equal(-2.5f, BinaryPrimitives.ReadSingleLittleEndian(state.AsSpan(state.Length - 4)));
    }
}

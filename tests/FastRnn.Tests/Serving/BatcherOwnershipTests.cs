// xUnit1051: the steps' own tokens are not what these tests are about; CancellationToken.None keeps the batcher's pooled path.
#pragma warning disable xUnit1051
using System;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using FastRnn.Networks;
using FastRnn.Serving;
using FastRnn.Sessions;
using Xunit;

namespace FastRnn.Tests.Serving;

/// <summary>
/// A batcher serves only its own handles, and allocates for its slots only what fits in memory: a
/// handle of another batcher (same slot, same generation) is refused by every call, leaving the
/// batcher's own stream untouched; slots that do not fit are refused before they are allocated.
/// </summary>
public sealed class BatcherOwnershipTests
{
    [Theory]
    [InlineData("lstm-projection-2-layers")]
    [InlineData("gru-int8")]
    public async Task AHandleOfAnotherBatcherIsRefusedByEveryCallAndTheOwnStreamIsUntouched(string name)
    {
        RecurrentNetwork network = ServingFixtures.Network(name);
        NetworkDescription d = network.Description;
        var random = new Random(3);
        var options = new StreamBatcherOptions { MaxStreams = 2, MaxBatch = 2 };
        using var batcher = new StreamBatcher(network, options);
        using var stranger = new StreamBatcher(network, options);
        float[] hidden = ServingFixtures.RandomFloats(random, d.NumLayers * d.StateSize, 0.8f), cell = ServingFixtures.RandomFloats(random, ServingFixtures.CellFloats(d), 0.8f);
        StreamHandle mine = batcher.Open(hidden, cell);
        StreamHandle other = stranger.Open();
        StreamingSession reference = network.CreateSession();
        reference.SetState(hidden, cell, 1);

        // The same slot and generation: only the batcher's identity tells them apart.
        Assert.Equal((mine.Slot, mine.Generation), (other.Slot, other.Generation));
        Assert.NotEqual(mine, other);
        Assert.NotEqual(mine.GetHashCode(), other.GetHashCode());

        float[] frame = ServingFixtures.RandomFloats(random, d.InputSize), output = new float[d.StateSize];
        float[] frames = ServingFixtures.RandomFloats(random, 2 * d.InputSize), outputs = new float[2 * d.StateSize];
        float[] stateHidden = new float[hidden.Length], stateCell = new float[cell.Length];
        AssertForeign(() => batcher.Step(other, frame, output));
        AssertForeign(() => batcher.Step([mine, other], frames, outputs)); // nothing is stepped, not even mine
        AssertForeign(() => batcher.Step([other], frame, output));
        AssertForeignMessage(await Assert.ThrowsAsync<ArgumentException>(async () => await batcher.StepAsync(other, frame, output)));
        AssertForeign(() => batcher.Reset(other));
        AssertForeign(() => batcher.Close(other));
        AssertForeign(() => batcher.GetState(other, stateHidden, stateCell));
        AssertForeign(() => batcher.ExportState(other));
        AssertForeign(() => batcher.ExportState(other, new byte[batcher.ExportedStateBytes]));
        Assert.Equal(1, batcher.OpenStreams);
        Assert.Equal(1, stranger.OpenStreams);

        // The own stream still holds its initial state, and steps as the reference does.
        float[] expected = new float[d.StateSize], expectedHidden = new float[hidden.Length], expectedCell = new float[cell.Length];
        batcher.GetState(mine, stateHidden, stateCell);
        ServingFixtures.AssertBitIdentical(hidden, stateHidden, $"{name}, hidden state after the refusals");
        ServingFixtures.AssertBitIdentical(cell, stateCell, $"{name}, cell state after the refusals");
        for (int t = 0; t < 3; t++)
        {
            frame = ServingFixtures.RandomFloats(random, d.InputSize);
            if (t == 1)
            {
                await batcher.StepAsync(mine, frame, output);
            }
            else
            {
                batcher.Step(mine, frame, output);
            }

            reference.Step(frame, 1, expected);
            ServingFixtures.AssertBitIdentical(expected, output, $"{name}, step {t} of the own stream");
        }

        batcher.GetState(mine, stateHidden, stateCell);
        reference.GetState(expectedHidden, expectedCell, 1);
        ServingFixtures.AssertBitIdentical(expectedHidden, stateHidden, $"{name}, final hidden state");
        ServingFixtures.AssertBitIdentical(expectedCell, stateCell, $"{name}, final cell state");

        // The stranger's handle still works where it was opened, and each batcher closes only its own.
        stranger.Step(other, frame, output);
        Assert.True(stranger.Close(other));
        Assert.True(batcher.Close(mine));

        static void AssertForeign(Action call) => AssertForeignMessage(Assert.Throws<ArgumentException>(call));

        static void AssertForeignMessage(ArgumentException error)
        {
            Assert.Contains("stream 0 (generation 1) was opened by another StreamBatcher", error.Message, StringComparison.Ordinal);
            Assert.Equal("handle", error.ParamName);
        }
    }

    [Fact]
    public async Task TheDefaultHandleIsStillRefusedAsNamingNoStream()
    {
        using var batcher = new StreamBatcher(ServingFixtures.Network("gru"), new StreamBatcherOptions { MaxStreams = 1, MaxBatch = 1 });
        StreamHandle open = batcher.Open();
        Assert.NotEqual(default, open);
        var error = Assert.Throws<ArgumentException>(() => batcher.Reset(default));
        Assert.Contains("stream 0 (generation 0) is not a handle of this batcher", error.Message, StringComparison.Ordinal);
        error = await Assert.ThrowsAsync<ArgumentException>(async () => await batcher.StepAsync(default, new float[5], new float[18]));
        Assert.Contains("the default handle names no stream", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SlotsThatDoNotFitInMemoryAreRefusedBeforeTheyAreAllocated()
    {
        const int MaxStreams = 1 << 20;
        const int Layers = 64; // the most a description allows
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

        // An LSTM holds 2·L·H floats per stream: take H so that the states alone need twice what is available.
        int hiddenSize = 16;
        while (4L * 2 * Layers * hiddenSize * MaxStreams < 2 * available)
        {
            hiddenSize *= 2;
        }

        long stateBytes = 4L * 2 * Layers * hiddenSize * MaxStreams;
        RecurrentNetwork network = ServingFixtures.Create(new NetworkDescription(CellKind.Lstm, 1, hiddenSize) { NumLayers = Layers }, 1);
        var options = new StreamBatcherOptions { MaxStreams = MaxStreams };
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ArgumentException>(() => new StreamBatcher(network, options));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 64 << 20, $"{allocated} bytes allocated before refusing {stateBytes} bytes of states");
        Match needed = Regex.Match(error.Message, @"MaxStreams 1048576 needs (\d+) bytes");
        Assert.True(needed.Success, error.Message);
        Assert.InRange(long.Parse(needed.Groups[1].Value, CultureInfo.InvariantCulture), stateBytes, long.MaxValue);
        Assert.Contains("bytes available to the process", error.Message, StringComparison.Ordinal);
        Assert.Contains("do not fit in memory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABatcherAllocatesForItsSlotsNoMoreThanItCountsAndNothingForAnUnusedAsyncPath()
    {
        // A tiny network, so the slots' bookkeeping (and anything else made per slot) dominates.
        const int MaxStreams = 1 << 20;
        RecurrentNetwork network = ServingFixtures.Create(new NetworkDescription(CellKind.Gru, 1, 1), 1);
        var options = new StreamBatcherOptions { MaxStreams = MaxStreams };
        long counted = StreamBatcher.SlotBytes(network.Description, MaxStreams);
        long before = GC.GetAllocatedBytesForCurrentThread();
        using var batcher = new StreamBatcher(network, options);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The slack covers what is sized by MaxBatch (32) and the objects themselves, not by MaxStreams.
        Assert.True(allocated <= counted + (1 << 20), $"{allocated} bytes allocated for {MaxStreams} slots counted as {counted} bytes");
    }
}

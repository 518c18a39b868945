// xUnit1051: the steps' own tokens are what these tests are about (CancellationToken.None where the
// batcher's pooled path is measured); CA2012: ValueTasks are held on purpose, to queue several steps
// before awaiting, each awaited exactly once.
#pragma warning disable xUnit1051, CA2012
using System;
using System.Threading.Tasks;
using FastRnn.Networks;
using FastRnn.Serving;
using FastRnn.Sessions;
using Xunit;

namespace FastRnn.Tests.Serving;

/// <summary>Bad arguments, options and networks are refused with messages naming expected and actual.</summary>
public sealed class BatcherValidationTests
{
    private static readonly RecurrentNetwork Network = ServingFixtures.Create(new NetworkDescription(CellKind.Gru, 6, 7), 41);

    [Theory]
    [InlineData(true, false, "bidirectional")]
    [InlineData(false, true, "reverse")]
    public void NetworksThatNeedTheFutureAreRefused(bool bidirectional, bool reverse, string word)
    {
        RecurrentNetwork network = ServingFixtures.Create(new NetworkDescription(CellKind.Lstm, 3, 4) { Bidirectional = bidirectional, Reverse = reverse }, 1);
        var error = Assert.Throws<NotSupportedException>(() => new StreamBatcher(network));
        Assert.Contains(word, error.Message, StringComparison.Ordinal);
        Assert.Contains("a stream cannot see the future", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionsOutOfRangeAreRefusedByName()
    {
        AssertRefused(new StreamBatcherOptions { MaxStreams = 0 }, "MaxStreams must be in 1..1048576, got 0");
        AssertRefused(new StreamBatcherOptions { MaxBatch = 0 }, "MaxBatch must be in 1..65536, got 0");
        AssertRefused(new StreamBatcherOptions { MaxQueueDelay = TimeSpan.FromSeconds(-1) }, "MaxQueueDelay must be in 0..1 s");
        AssertRefused(new StreamBatcherOptions { IdleTimeout = TimeSpan.Zero }, "IdleTimeout must be positive");
        AssertRefused(new StreamBatcherOptions { Threads = 65 }, "Threads must be in 1..64, got 65");
        AssertRefused(new StreamBatcherOptions { TimeProvider = null! }, "TimeProvider must not be null");

        static void AssertRefused(StreamBatcherOptions options, string message)
        {
            var error = Assert.Throws<ArgumentException>(() => new StreamBatcher(Network, options));
            Assert.Contains(message, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task FramesAndOutputsOfTheWrongLengthAreRefusedWithBothLengths()
    {
        using var batcher = new StreamBatcher(Network, new StreamBatcherOptions { MaxStreams = 4, MaxBatch = 2 });
        StreamHandle a = batcher.Open(), b = batcher.Open();
        var error = Assert.Throws<ArgumentException>(() => batcher.Step([a, b], new float[11], new float[14]));
        Assert.Contains("Expected frames [2, 6] = 12 floats for 2 handle(s), got 11", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => batcher.Step([a, b], new float[12], new float[13]));
        Assert.Contains("Expected outputs [2, 7] = 14 floats for 2 handle(s), got 13", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => batcher.Step(a, new float[5], new float[7]));
        Assert.Contains("Expected frames [1, 6] = 6 floats for 1 handle(s), got 5", error.Message, StringComparison.Ordinal);

        error = await Assert.ThrowsAsync<ArgumentException>(async () => await batcher.StepAsync(a, new float[5], new float[7]));
        Assert.Contains("Expected a frame of 6 floats (the network's input size), got 5", error.Message, StringComparison.Ordinal);
        error = await Assert.ThrowsAsync<ArgumentException>(async () => await batcher.StepAsync(a, new float[6], new float[8]));
        Assert.Contains("Expected an output of 7 floats (the network's state size H_out), got 8", error.Message, StringComparison.Ordinal);

        float[] shared = new float[13];
        Assert.Throws<ArgumentException>(() => batcher.Step(a, shared.AsSpan(0, 6), shared.AsSpan(5, 7)));

        error = Assert.Throws<ArgumentException>(() => batcher.Open(new float[6], default));
        Assert.Contains("Expected a hidden state [1, 7] = 7 floats, got 6", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => batcher.GetState(a, new float[7], new float[7]));
        Assert.Contains("A Gru network has no cell state", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHandleTwiceInOneCallIsRefusedAndNothingIsStepped()
    {
        using var batcher = new StreamBatcher(Network, new StreamBatcherOptions { MaxStreams = 4, MaxBatch = 4 });
        StreamHandle a = batcher.Open(), b = batcher.Open();
        var error = Assert.Throws<ArgumentException>(() => batcher.Step([a, b, a], ServingFixtures.RandomFloats(new Random(1), 18), new float[21]));
        Assert.Contains("appears twice (positions 0 and 2)", error.Message, StringComparison.Ordinal);
        float[] hidden = new float[7];
        batcher.GetState(b, hidden, default);
        Assert.All(hidden, value => Assert.Equal(0f, value));
    }

    [Fact]
    public async Task ASynchronousCallOnAStreamWithWaitingAsyncStepsIsRefused()
    {
        using var batcher = new StreamBatcher(Network, new StreamBatcherOptions { MaxStreams = 4, MaxBatch = 4 });
        StreamHandle handle = batcher.Open();
        ValueTask waiting;
        lock (batcher.Gate)
        {
            waiting = batcher.StepAsync(handle, new float[6], new float[7]);
            var error = Assert.Throws<InvalidOperationException>(() => batcher.Step(handle, new float[6], new float[7]));
            Assert.Contains("1 StepAsync call(s) waiting", error.Message, StringComparison.Ordinal);
            Assert.Throws<InvalidOperationException>(() => batcher.Reset(handle));
            Assert.Throws<InvalidOperationException>(() => batcher.ExportState(handle));
        }

        await waiting;
        batcher.Step(handle, new float[6], new float[7]);
    }

    [Theory]
    [InlineData("lstm-projection-2-layers", 1)]
    [InlineData("gru-int8", 2)]
    public async Task ANonFiniteFrameMakesOnlyItsStreamNaN(string name, int threads)
    {
        RecurrentNetwork network = ServingFixtures.Network(name);
        NetworkDescription d = network.Description;
        using var batcher = new StreamBatcher(network, new StreamBatcherOptions { MaxStreams = 4, MaxBatch = 4, Threads = threads });
        var handles = new StreamHandle[3];
        var references = new StreamingSession[3];
        for (int s = 0; s < 3; s++)
        {
            handles[s] = batcher.Open();
            references[s] = network.CreateSession();
        }

        var random = new Random(5);
        float[] expected = new float[d.StateSize];
        for (int t = 0; t < 3; t++)
        {
            float[] frames = ServingFixtures.RandomFloats(random, 3 * d.InputSize), outputs = new float[3 * d.StateSize];
            if (t == 1)
            {
                frames[d.InputSize + 2] = float.NaN;
                frames[d.InputSize + 3] = float.PositiveInfinity;
            }

            if (t == 2)
            {
                for (int s = 0; s < 3; s++)
                {
                    await batcher.StepAsync(handles[s], frames.AsMemory(s * d.InputSize, d.InputSize), outputs.AsMemory(s * d.StateSize, d.StateSize));
                }
            }
            else
            {
                batcher.Step(handles, frames, outputs);
            }

            for (int s = 0; s < 3; s++)
            {
                references[s].Step(frames.AsSpan(s * d.InputSize, d.InputSize), 1, expected);
                ServingFixtures.AssertBitIdentical(expected, outputs.AsSpan(s * d.StateSize, d.StateSize), $"stream {s}, step {t}");
                bool nan = Array.Exists(outputs.AsSpan(s * d.StateSize, d.StateSize).ToArray(), float.IsNaN);
                Assert.Equal(s == 1 && t >= 1, nan);
            }
        }
    }
}

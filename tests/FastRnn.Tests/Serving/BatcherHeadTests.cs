// xUnit1051: the steps' own tokens are not what these tests are about.
#pragma warning disable xUnit1051
using System;
using System.Threading.Tasks;
using FastRnn.Heads;
using FastRnn.Networks;
using FastRnn.Serving;
using FastRnn.Sessions;
using Xunit;

namespace FastRnn.Tests.Serving;

/// <summary>
/// A batcher with a <see cref="StreamBatcherOptions.Head"/>: every stream's outputs are bit-identical
/// to one <see cref="StreamingSession"/> per stream followed by <see cref="DenseHead.Apply"/> of that
/// stream alone, synchronously and through the loop, on one and two threads; a head of the wrong
/// size is refused (allocation: <see cref="BatcherAllocationTests"/>).
/// </summary>
public sealed class BatcherHeadTests
{
    private const int Streams = 5, Steps = 8;

    public static DenseHead Head(int inputSize, int classes, HeadActivation activation, int seed)
    {
        var random = new Random(seed);
        return DenseHead.Create(ServingFixtures.RandomFloats(random, classes * inputSize, 0.5f), ServingFixtures.RandomFloats(random, classes, 0.5f), inputSize, classes, activation);
    }

    [Theory]
    [InlineData("lstm-projection-2-layers", 1, HeadActivation.Softmax)]
    [InlineData("gru-int8", 2, HeadActivation.Sigmoid)]
    [InlineData("rnn-tanh", 2, HeadActivation.None)]
    public async Task OutputsEqualOneSessionAndTheHeadPerStream(string name, int threads, HeadActivation activation)
    {
        RecurrentNetwork network = ServingFixtures.Network(name);
        NetworkDescription d = network.Description;
        DenseHead head = Head(d.OutputSize, 7, activation, threads);
        using var batcher = new StreamBatcher(network, new StreamBatcherOptions { MaxStreams = Streams, MaxBatch = 3, Threads = threads, Head = head });
        Assert.Equal(7, batcher.OutputSize);
        var random = new Random(5);
        var handles = new StreamHandle[Streams];
        var references = new StreamingSession[Streams];
        for (int s = 0; s < Streams; s++)
        {
            handles[s] = batcher.Open();
            references[s] = network.CreateSession();
        }

        float[] state = new float[d.StateSize], expected = new float[head.OutputSize];
        for (int t = 0; t < Steps; t++)
        {
            // Even steps: one synchronous call for all streams (batches of 3 + 2); odd steps: concurrent StepAsync calls.
            float[] frames = ServingFixtures.RandomFloats(random, Streams * d.InputSize), outputs = new float[Streams * head.OutputSize];
            if (t % 2 == 0)
            {
                batcher.Step(handles, frames, outputs);
            }
            else
            {
                var calls = new Task[Streams];
                for (int s = 0; s < Streams; s++)
                {
                    int stream = s;
                    calls[s] = Task.Run(async () => await batcher.StepAsync(handles[stream], frames.AsMemory(stream * d.InputSize, d.InputSize), outputs.AsMemory(stream * head.OutputSize, head.OutputSize)));
                }

                await Task.WhenAll(calls);
            }

            for (int s = 0; s < Streams; s++)
            {
                references[s].Step(frames.AsSpan(s * d.InputSize, d.InputSize), 1, state);
                head.Apply(state, 1, expected);
                ServingFixtures.AssertBitIdentical(expected, outputs.AsSpan(s * head.OutputSize, head.OutputSize), $"{name}, stream {s}, step {t}");
            }
        }
    }

    [Fact]
    public void AHeadOfAnotherInputSizeIsRefused()
    {
        RecurrentNetwork network = ServingFixtures.Network("lstm-projection-2-layers"); // H_out = 4
        var e = Assert.Throws<ArgumentException>(() => new StreamBatcher(network, new StreamBatcherOptions { Head = Head(11, 3, HeadActivation.None, 1) }));
        Assert.Contains("head takes 11 inputs", e.Message, StringComparison.Ordinal);
        Assert.Contains("output size (H_out) is 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OutputsOfTheNetworksSizeAreRefusedWithAHead()
    {
        RecurrentNetwork network = ServingFixtures.Network("lstm");
        NetworkDescription d = network.Description;
        using var batcher = new StreamBatcher(network, new StreamBatcherOptions { Head = Head(d.OutputSize, 3, HeadActivation.Softmax, 2) });
        StreamHandle stream = batcher.Open();
        float[] frame = new float[d.InputSize], output = new float[d.StateSize];
        var e = Assert.Throws<ArgumentException>(() => batcher.Step(stream, frame, output));
        Assert.Contains($"[1, 3] = 3 floats for 1 handle(s), got {d.StateSize}", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => { _ = batcher.StepAsync(stream, frame, output).AsTask(); });
        Assert.Contains("head's output size C", e.Message, StringComparison.Ordinal);
    }
}

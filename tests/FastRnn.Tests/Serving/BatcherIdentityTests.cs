// xUnit1051: the steps' own tokens are what these tests are about (CancellationToken.None where the
// batcher's pooled path is measured); CA2012: ValueTasks are held on purpose, to queue several steps
// before awaiting, each awaited exactly once.
#pragma warning disable xUnit1051, CA2012
using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using FastRnn.Networks;
using FastRnn.Serving;
using FastRnn.Sessions;
using Xunit;

namespace FastRnn.Tests.Serving;

/// <summary>
/// Every stream's outputs and final state are bit-identical to one <see cref="StreamingSession"/>
/// stepping that stream alone, for random batch compositions and arrival orders, synchronously and
/// through the loop, on one and two threads, for every cell kind, variant and weight format.
/// </summary>
public sealed class BatcherIdentityTests
{
    private const int Streams = 7, Steps = 10;

    /// <summary>Every test network on one and on two threads.</summary>
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in ServingFixtures.NetworkNames)
        {
            data.Add(name, 1);
            data.Add(name, 2);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SyncStepsOfRandomBatchesEqualOneSessionPerStream(string name, int threads)
    {
        int seed = 11 + threads + name.Length;
        RecurrentNetwork network = ServingFixtures.Network(name);
        NetworkDescription d = network.Description;
        var random = new Random(seed);
        using var batcher = new StreamBatcher(network, new StreamBatcherOptions { MaxStreams = 9, MaxBatch = 3, Threads = threads });
        (StreamHandle[] handles, StreamingSession[] references) = OpenStreams(batcher, network, random);
        int[] done = new int[Streams];
        float[][] frames = new float[Streams][];
        for (int s = 0; s < Streams; s++)
        {
            frames[s] = ServingFixtures.RandomFloats(random, Steps * d.InputSize);
        }

        var chosen = new List<int>();
        float[] expected = new float[d.StateSize];
        while (Array.Exists(done, n => n < Steps))
        {
            // A random subset of the streams with frames left, in random order: more than MaxBatch
            // at times, so one call runs several batched steps.
            chosen.Clear();
            for (int s = 0; s < Streams; s++)
            {
                if (done[s] < Steps && random.NextDouble() < 0.7)
                {
                    chosen.Insert(random.Next(chosen.Count + 1), s);
                }
            }

            if (chosen.Count == 0)
            {
                continue;
            }

            var callHandles = new StreamHandle[chosen.Count];
            float[] callFrames = new float[chosen.Count * d.InputSize], callOutputs = new float[chosen.Count * d.StateSize];
            for (int i = 0; i < chosen.Count; i++)
            {
                int s = chosen[i];
                callHandles[i] = handles[s];
                frames[s].AsSpan(done[s] * d.InputSize, d.InputSize).CopyTo(callFrames.AsSpan(i * d.InputSize));
            }

            batcher.Step(callHandles, callFrames, callOutputs);
            for (int i = 0; i < chosen.Count; i++)
            {
                int s = chosen[i];
                references[s].Step(frames[s].AsSpan(done[s] * d.InputSize, d.InputSize), 1, expected);
                ServingFixtures.AssertBitIdentical(expected, callOutputs.AsSpan(i * d.StateSize, d.StateSize), $"{name}, stream {s}, step {done[s]}");
                done[s]++;
                if (random.NextDouble() < 0.05)
                {
                    batcher.Reset(handles[s]);
                    references[s].Reset();
                }
            }
        }

        AssertStates(batcher, handles, references, name);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task AsyncStepsFromConcurrentCallersEqualOneSessionPerStream(string name, int threads)
    {
        int delayMilliseconds = threads - 1; // no queue delay on one thread, 1 ms on two
        RecurrentNetwork network = ServingFixtures.Network(name);
        NetworkDescription d = network.Description;
        var random = new Random(delayMilliseconds + (threads * 10) + name.Length);
        var options = new StreamBatcherOptions { MaxStreams = 8, MaxBatch = 4, Threads = threads, MaxQueueDelay = TimeSpan.FromMilliseconds(delayMilliseconds) };
        using var batcher = new StreamBatcher(network, options);
        (StreamHandle[] handles, StreamingSession[] references) = OpenStreams(batcher, network, random);
        float[][] frames = new float[Streams][], outputs = new float[Streams][];
        int[] seeds = new int[Streams];
        for (int s = 0; s < Streams; s++)
        {
            frames[s] = ServingFixtures.RandomFloats(random, Steps * d.InputSize);
            outputs[s] = new float[Steps * d.StateSize];
            seeds[s] = random.Next();
        }

        var callers = new Task[Streams];
        for (int s = 0; s < Streams; s++)
        {
            int stream = s;
            callers[s] = Task.Run(() => Caller(batcher, handles[stream], frames[stream], outputs[stream], d, new Random(seeds[stream])));
        }

        await Task.WhenAll(callers);
        float[] expected = new float[d.StateSize];
        for (int s = 0; s < Streams; s++)
        {
            for (int t = 0; t < Steps; t++)
            {
                references[s].Step(frames[s].AsSpan(t * d.InputSize, d.InputSize), 1, expected);
                ServingFixtures.AssertBitIdentical(expected, outputs[s].AsSpan(t * d.StateSize, d.StateSize), $"{name}, stream {s}, step {t}");
            }
        }

        AssertStates(batcher, handles, references, name);
    }

    [Theory]
    [InlineData("lstm-projection-2-layers", 1)]
    [InlineData("gru-int8", 2)]
    [InlineData("rnn-relu-2-layers", 1)]
    public void RepeatedCompositionsWithStateCallsBetweenThemEqualOneSessionPerStream(string name, int threads)
    {
        // A run on one part keeps its states in the session while the same streams come back in
        // the same rows; every call that reads or replaces a state in between must see them.
        RecurrentNetwork network = ServingFixtures.Network(name);
        NetworkDescription d = network.Description;
        var random = new Random(threads);
        using var batcher = new StreamBatcher(network, new StreamBatcherOptions { MaxStreams = 4, MaxBatch = 4, Threads = threads });
        var streams = new List<(StreamHandle Handle, StreamingSession Reference)> { (batcher.Open(), network.CreateSession()), (batcher.Open(), network.CreateSession()), (batcher.Open(), network.CreateSession()) };
        float[] hidden = new float[d.NumLayers * d.StateSize], cell = new float[ServingFixtures.CellFloats(d)];
        float[] expectedHidden = new float[hidden.Length], expectedCell = new float[cell.Length];

        void StepAndCheck(params int[] which)
        {
            var handles = new StreamHandle[which.Length];
            float[] frames = ServingFixtures.RandomFloats(random, which.Length * d.InputSize), outputs = new float[which.Length * d.StateSize], expected = new float[d.StateSize];
            for (int i = 0; i < which.Length; i++)
            {
                handles[i] = streams[which[i]].Handle;
            }

            batcher.Step(handles, frames, outputs);
            for (int i = 0; i < which.Length; i++)
            {
                streams[which[i]].Reference.Step(frames.AsSpan(i * d.InputSize, d.InputSize), 1, expected);
                ServingFixtures.AssertBitIdentical(expected, outputs.AsSpan(i * d.StateSize, d.StateSize), $"{name}, stream {which[i]}");
            }
        }

        void CheckState(int which)
        {
            batcher.GetState(streams[which].Handle, hidden, cell);
            streams[which].Reference.GetState(expectedHidden, expectedCell, 1);
            ServingFixtures.AssertBitIdentical(expectedHidden, hidden, $"{name}, hidden state of stream {which}");
            ServingFixtures.AssertBitIdentical(expectedCell, cell, $"{name}, cell state of stream {which}");
        }

        StepAndCheck(0, 1);
        StepAndCheck(0, 1);
        StepAndCheck(0);
        StepAndCheck(0);
        CheckState(0);
        StepAndCheck(0);
        StepAndCheck(1, 0);
        batcher.Reset(streams[1].Handle);
        streams[1].Reference.Reset();
        StepAndCheck(1, 0);
        StepAndCheck(1, 0);
        byte[] exported = batcher.ExportState(streams[1].Handle);
        StepAndCheck(1, 0);
        Assert.True(batcher.Close(streams[0].Handle));
        StreamingSession moved = network.CreateSession();
        streams[1].Reference.GetState(expectedHidden, expectedCell, 1);
        streams[0] = (batcher.ImportState(exported), moved);
        StepAndCheck(2);
        StepAndCheck(2);
        batcher.GetState(streams[0].Handle, hidden, cell); // the import holds stream 1's state before its last step
        moved.SetState(hidden, cell, 1);
        StepAndCheck(0, 1, 2);
        StepAndCheck(0, 1, 2);
        StepAndCheck(2);
        for (int s = 0; s < 3; s++)
        {
            CheckState(s);
        }
    }

    /// <summary>One stream's caller: awaits each step, or queues two before awaiting either, with random pauses.</summary>
    private static async Task Caller(StreamBatcher batcher, StreamHandle handle, float[] frames, float[] outputs, NetworkDescription d, Random random)
    {
        int i = d.InputSize, h = d.StateSize;
        for (int t = 0; t < Steps; t++)
        {
            if (random.Next(3) == 0)
            {
                await Task.Yield();
            }

            if (t + 1 < Steps && random.Next(3) == 0)
            {
                ValueTask first = batcher.StepAsync(handle, frames.AsMemory(t * i, i), outputs.AsMemory(t * h, h));
                ValueTask second = batcher.StepAsync(handle, frames.AsMemory((t + 1) * i, i), outputs.AsMemory((t + 1) * h, h));
                await first;
                await second;
                t++;
            }
            else
            {
                await batcher.StepAsync(handle, frames.AsMemory(t * i, i), outputs.AsMemory(t * h, h));
            }
        }
    }

    /// <summary>Opens the streams, every third with a random initial state, and a session per stream with the same state.</summary>
    private static (StreamHandle[] Handles, StreamingSession[] References) OpenStreams(StreamBatcher batcher, RecurrentNetwork network, Random random)
    {
        NetworkDescription d = network.Description;
        var handles = new StreamHandle[Streams];
        var references = new StreamingSession[Streams];
        for (int s = 0; s < Streams; s++)
        {
            references[s] = network.CreateSession();
            if (s % 3 == 0)
            {
                float[] hidden = ServingFixtures.RandomFloats(random, d.NumLayers * d.StateSize, 0.8f);
                float[] cell = ServingFixtures.RandomFloats(random, ServingFixtures.CellFloats(d), 0.8f);
                handles[s] = batcher.Open(hidden, cell);
                references[s].SetState(hidden, cell, 1);
            }
            else
            {
                handles[s] = batcher.Open();
            }
        }

        return (handles, references);
    }

    private static void AssertStates(StreamBatcher batcher, StreamHandle[] handles, StreamingSession[] references, string name)
    {
        NetworkDescription d = batcher.Description;
        float[] hidden = new float[d.NumLayers * d.StateSize], cell = new float[ServingFixtures.CellFloats(d)];
        float[] expectedHidden = new float[hidden.Length], expectedCell = new float[cell.Length];
        for (int s = 0; s < handles.Length; s++)
        {
            batcher.GetState(handles[s], hidden, cell);
            references[s].GetState(expectedHidden, expectedCell, 1);
            ServingFixtures.AssertBitIdentical(expectedHidden, hidden, $"{name}, stream {s}, final hidden state");
            ServingFixtures.AssertBitIdentical(expectedCell, cell, $"{name}, stream {s}, final cell state");
        }
    }
}

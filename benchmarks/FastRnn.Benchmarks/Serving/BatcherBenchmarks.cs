using System;
using BenchmarkDotNet.Attributes;
using FastRnn.Networks;
using FastRnn.Serving;
using FastRnn.Sessions;

namespace FastRnn.Benchmarks.Serving;

/// <summary>
/// N streams of one network (LSTM I = 64, H = 256, the serving issue's model without its head),
/// each advanced by one frame: one <see cref="StreamingSession"/> per stream stepped one by one
/// (the baseline), against one synchronous <see cref="StreamBatcher.Step(ReadOnlySpan{StreamHandle}, ReadOnlySpan{float}, Span{float})"/>
/// of all N, and one session stepping all N rows (its threads sharing each step by output rows).
/// With N = 1 it is what a lone stream pays for going through the batcher.
/// </summary>
[MemoryDiagnoser]
public class BatcherBenchmarks
{
    private StreamingSession[] sessions = null!;
    private StreamingSession shared = null!;
    private StreamBatcher batcher = null!;
    private StreamHandle[] handles = null!;
    private float[] frames = null!;  // [N, I]
    private float[] outputs = null!; // [N, H]
    private int inputSize, hiddenSize;

    [Params(1, 64, 256)]
    public int Streams { get; set; }

    /// <summary>The batcher's threads (the sessions run on the calling thread either way).</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, 64, 256), 1);
        inputSize = 64;
        hiddenSize = 256;
        sessions = new StreamingSession[Streams];
        for (int i = 0; i < Streams; i++)
        {
            sessions[i] = network.CreateSession();
        }

        shared = network.CreateSession(Streams, Threads);
        batcher = new StreamBatcher(network, new StreamBatcherOptions { MaxStreams = Streams, MaxBatch = Streams, Threads = Threads });
        handles = new StreamHandle[Streams];
        for (int i = 0; i < Streams; i++)
        {
            handles[i] = batcher.Open();
        }

        frames = new float[Streams * inputSize];
        outputs = new float[Streams * hiddenSize];
        for (int i = 0; i < frames.Length; i++)
        {
            frames[i] = (i % 11) * 0.05f;
        }
    }

    [GlobalCleanup]
    public void Cleanup() => batcher.Dispose();

    [Benchmark(Baseline = true)]
    public void OneSessionPerStream()
    {
        for (int i = 0; i < sessions.Length; i++)
        {
            sessions[i].Step(frames.AsSpan(i * inputSize, inputSize), 1, outputs.AsSpan(i * hiddenSize, hiddenSize));
        }
    }

    [Benchmark]
    public void Batcher() => batcher.Step(handles, frames, outputs);

    /// <summary>All N rows in one session whose threads share each step by output rows: the batched step without the batcher's bookkeeping.</summary>
    [Benchmark]
    public void SharedSession() => shared.Step(frames, Streams, outputs);
}

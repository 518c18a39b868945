using System;
using BenchmarkDotNet.Attributes;
using FastRnn.Benchmarks.Shared;

namespace FastRnn.Benchmarks.Peers;

/// <summary>
/// The bound of every batch-1 row, measured in the same run: how long this core takes to read a buffer
/// of exactly that workload's weight bytes, again and again as consecutive steps re-read their weights
/// (<see cref="StreamRead"/>). No cache-level model: a buffer just above a level's size gets the mix of
/// levels the weights get. Sizes: W_ih + W_hh of every streaming row (RNN, GRU, LSTM at H 64..1024) and
/// W_hh alone for the batch-1 sequence rows (G·H²·4: 16 KiB for the RNN at H = 64 to 16 MiB for the LSTM at
/// H = 1024). A size missing here falls back to a cache level's bandwidth from another benchmark.
/// </summary>
[MemoryDiagnoser]
public class WeightReadBenchmarks
{
    private float[] buffer = null!;
    private int start;

    /// <summary>Bytes read per call, in KiB.</summary>
    [Params(16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096, 6144, 8192, 12288, 16384, 24576, 32768)]
    public int KiB { get; set; }

    [GlobalSetup]
    public void Setup() => (buffer, start) = StreamRead.Allocate(KiB * 1024L);

    [Benchmark]
    public float Read() => StreamRead.Read(buffer.AsSpan(start, KiB * 1024 / sizeof(float)));
}

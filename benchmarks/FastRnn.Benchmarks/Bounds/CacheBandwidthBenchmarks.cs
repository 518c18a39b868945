using System;
using BenchmarkDotNet.Attributes;
using FastRnn.Benchmarks.Shared;

namespace FastRnn.Benchmarks.Bounds;

/// <summary>
/// How fast this core reads a buffer that sits in L1, L2, L3 or memory (<see cref="StreamRead"/>):
/// the bound on a batch-1 step, which must stream every weight byte once.
/// </summary>
[MemoryDiagnoser]
public class CacheBandwidthBenchmarks
{
    private float[] buffer = null!;
    private int start;

    /// <summary>Buffer size in KiB: 16 (L1, half of the smallest L1d in use), 512 (L2), 8192 (L3), 262144 (memory).</summary>
    [Params(16, 512, 8192, 262144)]
    public int KiB { get; set; }

    public long Bytes => KiB * 1024L;

    [GlobalSetup]
    public void Setup() => (buffer, start) = StreamRead.Allocate(Bytes);

    [Benchmark]
    public float Read() => StreamRead.Read(buffer.AsSpan(start, (int)(Bytes / sizeof(float))));
}

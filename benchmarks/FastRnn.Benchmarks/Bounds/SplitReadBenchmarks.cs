using System;
using BenchmarkDotNet.Attributes;
using FastRnn.Benchmarks.Shared;
using FastRnn.Memory;

namespace FastRnn.Benchmarks.Bounds;

/// <summary>
/// The read bound of a one-stream step split between threads: <see cref="TotalKiB"/> of weights read
/// once per call, by one thread, or by two threads each reading its own half (as a step split by
/// output rows does, handed over and joined by the <see cref="ParallelParts"/> the library uses). The
/// recurrent weights of an LSTM step are 1024 KiB at H = 256, 4096 at 512 and 16384 at 1024: split in
/// two, the first fits each core's L2 on a Zen 4 (1 MiB), the others stream from L3 every step.
/// 64 KiB (an RNN's at H = 128) is read in well under a microsecond: there the two-thread time is
/// mostly the hand-off and the join.
/// </summary>
[MemoryDiagnoser]
public class SplitReadBenchmarks
{
    private readonly float[][] halves = new float[2][];
    private readonly int[] starts = new int[2];
    private readonly float[] sums = new float[2];
    private ParallelParts parts = null!;
    private Action<int> body = null!;

    /// <summary>KiB read per call, in two halves of their own buffers.</summary>
    [Params(64, 1024, 4096, 16384)]
    public int TotalKiB { get; set; }

    /// <summary>Threads sharing the read: 1 reads both halves, 2 read one each.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        for (int i = 0; i < 2; i++)
        {
            (halves[i], starts[i]) = StreamRead.Allocate(TotalKiB * 512L);
        }

        parts = new ParallelParts(Threads);
        body = Threads == 1 ? _ => sums[0] = Half(0) + Half(1) : part => sums[part] = Half(part);
    }

    [Benchmark]
    public float Read()
    {
        parts.Run(body, Threads);
        return sums[0] + sums[1];
    }

    private float Half(int i) => StreamRead.Read(halves[i].AsSpan(starts[i], TotalKiB * 128));
}

using BenchmarkDotNet.Attributes;
using FastRnn.Networks;

namespace FastRnn.Benchmarks.Inference;

/// <summary>One streaming step at batch 1 (I = H): the latency a service sees per input frame.</summary>
[MemoryDiagnoser]
public class StreamingStepBenchmarks : BatchOneStepBenchmark
{
    [Params(CellKind.Lstm, CellKind.Gru, CellKind.RnnTanh)]
    public CellKind Cell { get; set; }

    [Params(64, 128, 256, 512, 1024)]
    public int Hidden { get; set; }

    /// <summary>Bytes of weights one step streams: (W_ih + W_hh) * 4.</summary>
    public long WeightBytes => WeightBytesOf(Cell, Hidden);

    public static long WeightBytesOf(CellKind cell, int hidden) => 2L * Gates(cell) * hidden * hidden * sizeof(float);

    [GlobalSetup]
    public void Setup()
    {
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(Cell, Hidden, Hidden), 1);
        Open(network);
    }

    private static int Gates(CellKind cell) => cell switch
    {
        CellKind.Lstm => 4,
        CellKind.Gru => 3,
        _ => 1,
    };
}

using BenchmarkDotNet.Attributes;
using FastRnn.Layers;
using FastRnn.Networks;

namespace FastRnn.Benchmarks.Inference;

/// <summary>A batch-64 sequence (T = 100, I = H = 256) on one and two threads.</summary>
[MemoryDiagnoser]
public class ThreadedSequenceBenchmarks
{
    private const int Steps = 100;
    private const int Batch = 64;
    private const int Hidden = 256;
    private RecurrentNetwork network = null!;
    private SequenceWorkspace workspace = null!;
    private float[] input = null!;
    private float[] output = null!;

    [Params(CellKind.Lstm, CellKind.Gru)]
    public CellKind Cell { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        network = RecurrentNetwork.CreateRandom(new NetworkDescription(Cell, Hidden, Hidden), 1);
        workspace = network.CreateWorkspace(Batch, Steps, Threads);
        input = new float[Steps * Batch * Hidden];
        output = new float[Steps * Batch * Hidden];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (i % 13) * 0.05f;
        }
    }

    [Benchmark]
    public void Forward() => network.Forward(workspace, input, Steps, Batch, output);
}

using BenchmarkDotNet.Attributes;
using FastRnn.Layers;
using FastRnn.Networks;

namespace FastRnn.Benchmarks.Inference;

/// <summary>A whole sequence, T = 100, I = H, at batch 1 and 64.</summary>
[MemoryDiagnoser]
public class SequenceBenchmarks
{
    public const int Steps = 100;
    private RecurrentNetwork network = null!;
    private SequenceWorkspace workspace = null!;
    private float[] input = null!;
    private float[] output = null!;

    [Params(CellKind.Lstm, CellKind.Gru)]
    public CellKind Cell { get; set; }

    [Params(64, 128, 256, 512, 1024)]
    public int Hidden { get; set; }

    [Params(1, 64)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        network = RecurrentNetwork.CreateRandom(new NetworkDescription(Cell, Hidden, Hidden), 1);
        workspace = network.CreateWorkspace(Batch, Steps);
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

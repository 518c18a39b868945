using BenchmarkDotNet.Attributes;
using FastRnn.Kernels;
using FastRnn.Networks;
using FastRnn.Sessions;

namespace FastRnn.Benchmarks.Inference;

/// <summary>A batch-1 streaming step (I = H) with float32, bfloat16 and int8 weights: the time to stream the weights, halved and quartered.</summary>
[MemoryDiagnoser]
public class WeightFormatStepBenchmarks
{
    private StreamingSession session = null!;
    private float[] input = null!;
    private float[] output = null!;

    [Params(CellKind.Lstm, CellKind.Gru)]
    public CellKind Cell { get; set; }

    [Params(256, 512, 1024)]
    public int Hidden { get; set; }

    [Params(WeightFormat.Float32, WeightFormat.BFloat16, WeightFormat.Int8)]
    public WeightFormat Weights { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(Cell, Hidden, Hidden), 1).WithWeightFormat(Weights);
        session = network.CreateSession();
        input = new float[Hidden];
        output = new float[Hidden];
        for (int i = 0; i < Hidden; i++)
        {
            input[i] = (i % 7) * 0.1f;
        }
    }

    [Benchmark]
    public void Step() => session.Step(input, 1, output);
}

using BenchmarkDotNet.Attributes;
using FastRnn.Kernels;
using FastRnn.Networks;

namespace FastRnn.Benchmarks.Inference;

/// <summary>A batch-1 streaming step (I = H) with float32, bfloat16 and int8 weights: the time to stream the weights, halved and quartered.</summary>
[MemoryDiagnoser]
public class WeightFormatStepBenchmarks : BatchOneStepBenchmark
{
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
        Open(network);
    }
}

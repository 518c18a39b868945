using BenchmarkDotNet.Attributes;
using FastRnn.Networks;
using FastRnn.Training;

namespace FastRnn.Benchmarks.Training;

/// <summary>A training step (B = 32, T = 50, I = H = 256) on one and two threads.</summary>
[MemoryDiagnoser]
public class ThreadedTrainingStepBenchmarks
{
    private const int Steps = 50;
    private const int Batch = 32;
    private const int Hidden = 256;
    private TrainingSession session = null!;
    private GradientBuffer gradients = null!;
    private float[] input = null!;
    private float[] output = null!;
    private float[] gradOutput = null!;

    [Params(CellKind.Lstm, CellKind.Gru)]
    public CellKind Cell { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(Cell, Hidden, Hidden), 1);
        session = new TrainingSession(network, Batch, Steps, threads: Threads);
        gradients = new GradientBuffer(network);
        input = new float[Steps * Batch * Hidden];
        output = new float[input.Length];
        gradOutput = new float[input.Length];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (i % 11) * 0.05f;
            gradOutput[i] = ((i % 5) - 2) * 0.01f;
        }
    }

    [Benchmark]
    public void ForwardBackward()
    {
        gradients.Zero();
        session.Forward(input, Steps, Batch, output);
        session.Backward(gradOutput, gradients);
    }
}

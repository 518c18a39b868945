using BenchmarkDotNet.Attributes;
using FastRnn.Networks;
using FastRnn.Training;

namespace FastRnn.Benchmarks.Training;

/// <summary>
/// One training step (forward saving the history + backward with all weight gradients), B = 32, T = 50,
/// I = H, with and without the input's gradient (without it Backward skips the product with W_ih: one of
/// the six products of a one-layer step).
/// </summary>
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    public const int Steps = 50;
    public const int Batch = 32;
    private TrainingSession session = null!;
    private GradientBuffer gradients = null!;
    private float[] input = null!;
    private float[] output = null!;
    private float[] gradOutput = null!;
    private float[] gradInput = null!;

    [Params(CellKind.Lstm, CellKind.Gru)]
    public CellKind Cell { get; set; }

    [Params(256, 512)]
    public int Hidden { get; set; }

    [Params(false, true)]
    public bool InputGradient { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(Cell, Hidden, Hidden), 1);
        session = new TrainingSession(network, Batch, Steps);
        gradients = new GradientBuffer(network);
        input = new float[Steps * Batch * Hidden];
        output = new float[input.Length];
        gradOutput = new float[input.Length];
        gradInput = InputGradient ? new float[input.Length] : [];
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
        session.Backward(gradOutput, gradients, gradInput: gradInput);
    }
}

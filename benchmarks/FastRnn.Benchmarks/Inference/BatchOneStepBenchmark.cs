using BenchmarkDotNet.Attributes;
using FastRnn.Networks;
using FastRnn.Sessions;

namespace FastRnn.Benchmarks.Inference;

/// <summary>
/// One streaming step at batch 1 with a fixed input: what the step benchmarks measure. Each
/// derived class says which network it opens in its [GlobalSetup].
/// </summary>
public abstract class BatchOneStepBenchmark
{
    private StreamingSession session = null!;
    private float[] input = null!;  // [1, I]
    private float[] output = null!; // [1, H]

    [Benchmark]
    public void Step() => session.Step(input, 1, output);

    /// <summary>Opens a session of <paramref name="network"/> and fills the input with a fixed pattern.</summary>
    /// <param name="network">The network to step.</param>
    protected void Open(RecurrentNetwork network)
    {
        session = network.CreateSession();
        input = new float[network.Description.InputSize];
        output = new float[network.Description.OutputSize];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (i % 7) * 0.1f;
        }
    }
}

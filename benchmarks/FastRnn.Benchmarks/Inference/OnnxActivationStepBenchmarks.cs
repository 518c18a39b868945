using BenchmarkDotNet.Attributes;
using FastRnn.Networks;

namespace FastRnn.Benchmarks.Inference;

/// <summary>
/// What ONNX activation functions cost in a streaming step at batch 1 (I = H): PyTorch's functions
/// (the fused default epilogue), HardSigmoid gates (Keras' old recurrent_activation default, the
/// common non-default case in exported models) and Softplus in every role (the most expensive function).
/// </summary>
[MemoryDiagnoser]
public class OnnxActivationStepBenchmarks : BatchOneStepBenchmark
{
    /// <summary>The functions of the network.</summary>
    public enum Functions
    {
        PyTorch,
        HardSigmoidGates,
        SoftplusEverywhere,
    }

    [Params(CellKind.Lstm, CellKind.Gru)]
    public CellKind Cell { get; set; }

    [Params(64, 256, 1024)]
    public int Hidden { get; set; }

    [Params(Functions.PyTorch, Functions.HardSigmoidGates, Functions.SoftplusEverywhere)]
    public Functions Activations { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Activation softplus = Activation.Of(ActivationFunction.Softplus);
        CellActivations? functions = Activations switch
        {
            Functions.HardSigmoidGates => CellActivations.DefaultFor(Cell) with { Gate = Activation.Of(ActivationFunction.HardSigmoid, 0.2f, 0.5f) },
            Functions.SoftplusEverywhere when Cell == CellKind.Lstm => CellActivations.Lstm(softplus, softplus, softplus),
            Functions.SoftplusEverywhere => CellActivations.Gru(softplus, softplus),
            _ => null,
        };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(Cell, Hidden, Hidden) { Activations = functions }, 1);
        Open(network);
    }
}

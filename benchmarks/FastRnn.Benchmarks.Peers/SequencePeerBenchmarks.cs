using BenchmarkDotNet.Attributes;
using FastRnn.Layers;
using FastRnn.Networks;
using TorchSharp;
using TorchSharp.Modules;

namespace FastRnn.Benchmarks.Peers;

/// <summary>
/// A whole sequence, T = 100, I = H: FastRnn Forward; ONNX Runtime on a T = 100 model through
/// IOBinding; torch nn.LSTM/GRU/RNN (grad disabled). Batch 1 at H 64 to 1024 (from 128 also on two
/// threads) and batch 64 at H = 256 and 512 (on one thread and two); FastRnn workspace threads, ONNX
/// Runtime intra-op threads, torch.set_num_threads: batch 64 shares sequences, batch 1 each step's products.
/// </summary>
[MemoryDiagnoser]
public class SequencePeerBenchmarks
{
    public const int Steps = 100;
    private RecurrentNetwork network = null!;
    private SequenceWorkspace workspace = null!;
    private float[] input = null!;
    private float[] output = null!;
    private OrtRunner? ort;
    private torch.nn.Module? torchModule;
    private torch.Tensor? x;

    [Params(CellKind.Lstm, CellKind.Gru, CellKind.RnnTanh)]
    public CellKind Cell { get; set; }

    /// <summary>
    /// Batch, hidden size and threads of each case, as text (BenchmarkDotNet's generated code cannot
    /// name a record type of this namespace: the benchmark method <c>FastRnn</c> hides the namespace).
    /// </summary>
    [Params("B=1 H=64 threads=1", "B=1 H=128 threads=1", "B=1 H=128 threads=2", "B=1 H=256 threads=1", "B=1 H=256 threads=2", "B=1 H=512 threads=1", "B=1 H=512 threads=2", "B=1 H=1024 threads=1",
        "B=1 H=1024 threads=2", "B=64 H=256 threads=1", "B=64 H=256 threads=2", "B=64 H=512 threads=1", "B=64 H=512 threads=2")]
    public string Shape { get; set; } = "B=1 H=64 threads=1";

    private SequenceShape Case { get; set; } = null!; // Shape, parsed once in setup (a benchmark call must not allocate)

    private int Batch => Case.Batch;

    private int Hidden => Case.Hidden;

    [GlobalSetup(Target = nameof(FastRnn))]
    public void SetupFastRnn() => Common();

    [GlobalSetup(Target = nameof(OnnxRuntime))]
    public void SetupOnnxRuntime()
    {
        Common();
        ort = new OrtRunner(network, Steps, Batch, stateful: false, Case.Threads);
        input.CopyTo(ort.Input, 0);
        ort.Run();
        Peers.Check($"ONNX Runtime {Cell} {Shape}", output, ort.Output);
    }

    [GlobalSetup(Target = nameof(TorchLayer))]
    public void SetupTorchLayer()
    {
        Common();
        TorchNative.Require(Case.Threads);
        torch.set_grad_enabled(false);
        torchModule = Cell switch
        {
            CellKind.Lstm => torch.nn.LSTM(Hidden, Hidden),
            CellKind.Gru => torch.nn.GRU(Hidden, Hidden),
            _ => torch.nn.RNN(Hidden, Hidden),
        };
        Peers.CopyInto(torchModule, network);
        x = torch.tensor(input, [Steps, Batch, Hidden]);
        using var scope = torch.NewDisposeScope();
        Peers.Check($"torch layer {Cell} {Shape}", output, Peers.ToArray(TorchForward()));
    }

    [Benchmark(Baseline = true)]
    public void FastRnn() => network.Forward(workspace, input, Steps, Batch, output);

    [Benchmark]
    public void OnnxRuntime() => ort!.Run();

    [Benchmark]
    public void TorchLayer()
    {
        using var scope = torch.NewDisposeScope();
        TorchForward();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        ort?.Dispose();
        x?.Dispose();
        torchModule?.Dispose();
    }

    private torch.Tensor TorchForward() => torchModule switch
    {
        LSTM m => m.forward(x!).Item1,
        GRU m => m.forward(x!).Item1,
        RNN m => m.forward(x!, null).Item1,
        _ => throw new System.InvalidOperationException("no torch module"),
    };

    private void Common()
    {
        Case = SequenceShape.Parse(Shape);
        network = Peers.Network(Cell, Hidden);
        workspace = network.CreateWorkspace(Batch, Steps, Case.Threads);
        input = Peers.Input(Steps * Batch * Hidden, 5);
        output = new float[Steps * Batch * Hidden];
        network.Forward(workspace, input, Steps, Batch, output);
    }
}

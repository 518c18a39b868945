using System.Linq;
using BenchmarkDotNet.Attributes;
using FastRnn.Layers;
using FastRnn.Networks;
using FastRnn.Sessions;
using FastRnn.Training;

namespace FastRnn.Benchmarks.Peers;

/// <summary>
/// FastRnn alone on every vector path of this CPU (<see cref="IsaPathConfig"/>): the same calls as the
/// FastRnn rows of the peer classes, for a subset of their workloads, one thread.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(IsaPathConfig))]
public class IsaPathBenchmarks
{
    private RecurrentNetwork network = null!;
    private StreamingSession? session;
    private SequenceWorkspace? workspace;
    private TrainingSession? training;
    private GradientBuffer? gradients;
    private float[] input = null!;
    private float[] output = null!;
    private float[] gradOutput = null!;
    private FastRnnWorkload workload = null!;

    /// <summary>The workload, as text (see <see cref="FastRnnWorkload.Parse"/>; BenchmarkDotNet's generated code cannot name a record of this namespace).</summary>
    [Params(
        "step Lstm B1 H64",
        "step Lstm B1 H256",
        "step Lstm B1 H1024",
        "step Gru B1 H64",
        "step Gru B1 H256",
        "step RnnTanh B1 H256",
        "seq Lstm B1 H256",
        "seq Lstm B64 H256",
        "train Lstm B32 H256")]
    public string Workload { get; set; } = "step Lstm B1 H64";

    [GlobalSetup]
    public void Setup()
    {
        IsaPathConfig.AssertExpectedPath();
        FastRnnWorkload w = FastRnnWorkload.Parse(Workload);
        workload = w;
        network = Peers.Network(w.Cell, w.Hidden);
        switch (w.Kind)
        {
            case WorkloadKind.Step:
                session = network.CreateSession();
                input = Peers.Input(w.Hidden, 3);
                output = new float[w.Hidden];
                break;
            case WorkloadKind.Seq:
                workspace = network.CreateWorkspace(w.Batch, SequencePeerBenchmarks.Steps);
                input = Peers.Input(SequencePeerBenchmarks.Steps * w.Batch * w.Hidden, 5);
                output = new float[input.Length];
                break;
            default:
                training = new TrainingSession(network, w.Batch, TrainingPeerBenchmarks.Steps);
                gradients = new GradientBuffer(network);
                input = Peers.Input(TrainingPeerBenchmarks.Steps * w.Batch * w.Hidden, 11);
                output = new float[input.Length];
                gradOutput = [.. Peers.Input(input.Length, 2).Select(v => v * 0.1f)];
                break;
        }
    }

    [Benchmark]
    public void FastRnn()
    {
        FastRnnWorkload w = workload;
        switch (w.Kind)
        {
            case WorkloadKind.Step:
                session!.Step(input, 1, output);
                break;
            case WorkloadKind.Seq:
                network.Forward(workspace!, input, SequencePeerBenchmarks.Steps, w.Batch, output);
                break;
            default:
                gradients!.Zero();
                training!.Forward(input, TrainingPeerBenchmarks.Steps, w.Batch, output);
                training.Backward(gradOutput, gradients);
                break;
        }
    }
}

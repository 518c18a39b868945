using System;
using BenchmarkDotNet.Attributes;
using FastRnn.Networks;
using FastRnn.Sessions;
using TorchSharp;
using TorchSharp.Modules;

namespace FastRnn.Benchmarks.Peers;

/// <summary>
/// One streaming step at batch 1, I = H, state carried across calls, on one thread and on two
/// (FastRnn session threads, ONNX Runtime intra-op threads, torch.set_num_threads):
/// FastRnn StreamingSession.Step; ONNX Runtime on a T = 1 model with the state ping-ponged through
/// IOBinding; torch nn.LSTMCell/GRUCell/RNNCell and nn.LSTM/GRU/RNN with T = 1 (grad disabled).
/// </summary>
[MemoryDiagnoser]
public class StreamingPeerBenchmarks
{
    private const int Checks = 3;
    private RecurrentNetwork network = null!;
    private StreamingSession session = null!;
    private float[] input = null!;
    private float[] output = null!;
    private OrtRunner? ort;
    private torch.nn.Module? torchModule;
    private torch.Tensor? x, h, c;

    [Params(CellKind.Lstm, CellKind.Gru, CellKind.RnnTanh)]
    public CellKind Cell { get; set; }

    [Params(64, 128, 256, 512, 1024)]
    public int Hidden { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup(Target = nameof(FastRnn))]
    public void SetupFastRnn() => Common();

    [GlobalSetup(Target = nameof(OnnxRuntime))]
    public void SetupOnnxRuntime()
    {
        float[][] expected = Common();
        ort = new OrtRunner(network, 1, 1, stateful: true, Threads);
        input.CopyTo(ort.Input, 0);
        for (int k = 0; k < Checks; k++)
        {
            ort.Run();
            Peers.Check($"ONNX Runtime {Cell} H={Hidden} threads={Threads} step {k}", expected[k], ort.Output);
            Peers.Check($"ONNX Runtime {Cell} H={Hidden} state {k}", expected[k], ort.Hidden);
        }
    }

    [GlobalSetup(Target = nameof(TorchCell))]
    public void SetupTorchCell() => SetupTorch(cell: true);

    [GlobalSetup(Target = nameof(TorchLayer))]
    public void SetupTorchLayer() => SetupTorch(cell: false);

    [Benchmark(Baseline = true)]
    public void FastRnn() => session.Step(input, 1, output);

    [Benchmark]
    public void OnnxRuntime() => ort!.Run();

    [Benchmark]
    public void TorchCell() => TorchStep(cell: true);

    [Benchmark]
    public void TorchLayer() => TorchStep(cell: false);

    [GlobalCleanup]
    public void Cleanup()
    {
        ort?.Dispose();
        x?.Dispose();
        h?.Dispose();
        c?.Dispose();
        torchModule?.Dispose();
    }

    private float[][] Common()
    {
        network = Peers.Network(Cell, Hidden);
        session = network.CreateSession(threads: Threads);
        input = Peers.Input(Hidden, 3);
        output = new float[Hidden];
        var expected = new float[Checks][];
        for (int k = 0; k < Checks; k++)
        {
            session.Step(input, 1, output);
            expected[k] = (float[])output.Clone();
        }

        session.Reset();
        return expected;
    }

    private void SetupTorch(bool cell)
    {
        float[][] expected = Common();
        TorchNative.Require(Threads);
        torch.set_grad_enabled(false);
        long[] shape = cell ? [1, Hidden] : [1, 1, Hidden];
        torchModule = (cell, Cell) switch
        {
            (true, CellKind.Lstm) => torch.nn.LSTMCell(Hidden, Hidden),
            (true, CellKind.Gru) => torch.nn.GRUCell(Hidden, Hidden),
            (true, _) => torch.nn.RNNCell(Hidden, Hidden),
            (false, CellKind.Lstm) => torch.nn.LSTM(Hidden, Hidden),
            (false, CellKind.Gru) => torch.nn.GRU(Hidden, Hidden),
            (false, _) => torch.nn.RNN(Hidden, Hidden),
        };
        Peers.CopyInto(torchModule, network);
        x = torch.tensor(input, shape);
        h = torch.zeros(shape);
        c = torch.zeros(shape);
        for (int k = 0; k < Checks; k++)
        {
            TorchStep(cell);
            Peers.Check($"torch {(cell ? "cell" : "layer")} {Cell} H={Hidden} step {k}", expected[k], Peers.ToArray(h));
        }
    }

    private void TorchStep(bool cell)
    {
        using var scope = torch.NewDisposeScope();
        switch (torchModule)
        {
            case LSTMCell m:
                (torch.Tensor h1, torch.Tensor c1) = m.forward(x!, (h!, c!));
                h!.copy_(h1);
                c!.copy_(c1);
                break;
            case GRUCell m:
                h!.copy_(m.forward(x!, h));
                break;
            case LSTM m:
                (_, torch.Tensor hn, torch.Tensor cn) = m.forward(x!, (h!, c!));
                h!.copy_(hn);
                c!.copy_(cn);
                break;
            case GRU m:
                h!.copy_(m.forward(x!, h).Item2);
                break;
            case RNNCell m:
                h!.copy_(m.forward(x!, h));
                break;
            case RNN m:
                h!.copy_(m.forward(x!, h).Item2);
                break;
            default:
                throw new InvalidOperationException($"No torch module for cell={cell}.");
        }
    }
}

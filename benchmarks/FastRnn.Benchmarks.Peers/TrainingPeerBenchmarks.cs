using System;
using System.Linq;
using BenchmarkDotNet.Attributes;
using FastRnn.Networks;
using FastRnn.Training;
using TorchSharp;
using TorchSharp.Modules;

namespace FastRnn.Benchmarks.Peers;

/// <summary>
/// One LSTM training step, B = 32, T = 50, I = H = 256, on one and on two threads: forward saving what
/// backward needs, then backward with all weight gradients and the input's gradient (FastRnn computes the
/// first layer's input gradient whether or not it is asked for, so torch's input requires grad too: both run
/// the six products the bound counts). FastRnn TrainingSession vs torch nn.LSTM (backward of
/// sum(output * gradOutput), gradients zeroed first, as FastRnn's GradientBuffer.Zero).
/// </summary>
[MemoryDiagnoser]
public class TrainingPeerBenchmarks
{
    public const int Steps = 50;
    public const int Batch = 32;
    private RecurrentNetwork network = null!;
    private TrainingSession session = null!;
    private GradientBuffer gradients = null!;
    private float[] input = null!;
    private float[] output = null!;
    private float[] gradOutput = null!;
    private float[] gradInput = null!;
    private LSTM? lstm;
    private torch.Tensor? x, gy;

    [Params(256)]
    public int Hidden { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup(Target = nameof(FastRnn))]
    public void SetupFastRnn() => Common();

    [GlobalSetup(Target = nameof(TorchLayer))]
    public void SetupTorchLayer()
    {
        Common();
        TorchNative.Require(Threads);
        torch.set_grad_enabled(true);
        lstm = torch.nn.LSTM(Hidden, Hidden);
        Peers.CopyInto(lstm, network);
        x = torch.tensor(input, [Steps, Batch, Hidden]).requires_grad_(true);
        gy = torch.tensor(gradOutput, [Steps, Batch, Hidden]);
        using (torch.NewDisposeScope())
        {
            lstm.zero_grad();
            torch.Tensor y = lstm.forward(x).Item1;
            Peers.Check($"torch LSTM training output H={Hidden}", output, Peers.ToArray(y));
            (y * gy).sum().backward();
        }

        foreach ((string name, TorchSharp.Modules.Parameter p) in lstm.named_parameters())
        {
            Peers.Check($"torch LSTM gradient {name}", gradients.Get(name), Peers.ToArray(p.grad!));
        }

        using torch.Tensor gx = x.grad!;
        Peers.Check($"torch LSTM input gradient H={Hidden}", gradInput, Peers.ToArray(gx));
    }

    [Benchmark(Baseline = true)]
    public void FastRnn()
    {
        gradients.Zero();
        session.Forward(input, Steps, Batch, output);
        session.Backward(gradOutput, gradients, gradInput: gradInput);
    }

    [Benchmark]
    public void TorchLayer()
    {
        using var scope = torch.NewDisposeScope();
        lstm!.zero_grad();
        x!.grad?.zero_();
        (lstm.forward(x!).Item1 * gy!).sum().backward();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        x?.Dispose();
        gy?.Dispose();
        lstm?.Dispose();
    }

    private void Common()
    {
        network = Peers.Network(CellKind.Lstm, Hidden);
        session = new TrainingSession(network, Batch, Steps, threads: Threads);
        gradients = new GradientBuffer(network);
        input = Peers.Input(Steps * Batch * Hidden, 11);
        output = new float[input.Length];
        gradOutput = Peers.Input(input.Length, 2).Select(v => v * 0.1f).ToArray();
        gradInput = new float[input.Length];
        FastRnn();
    }
}

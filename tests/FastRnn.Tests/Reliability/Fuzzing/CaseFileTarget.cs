using System;
using System.IO;
using FastRnn.Cli.Commands;
using FastRnn.IO;
using FastRnn.Networks;
using FastRnn.Tests.IO;
using Xunit;

namespace FastRnn.Tests.Reliability.Fuzzing;

/// <summary>
/// The reader of <c>fastrnn eval</c>: a conformance-format case parsed into its network and its
/// case tensors. An accepted case has consistent shapes and lengths, and its forward pass runs.
/// </summary>
internal sealed class CaseFileTarget : ReaderTarget
{
    public override string Name => "case";

    public override byte[][] Seeds { get; } =
    [
        File.ReadAllBytes(SafeTensorsSamples.ConformanceFile("lstm_h1_t1_b1")),
        File.ReadAllBytes(SafeTensorsSamples.ConformanceFile("rnn_relu_h1_t1_b1")),
        File.ReadAllBytes(SafeTensorsSamples.ConformanceFile("rnn_tanh_lengths_b4")),
    ];

    public override object Load(byte[] bytes)
    {
        SafeTensorsFile file = SafeTensorsFile.Parse(bytes);
        RecurrentNetwork network = NetworkFile.FromSafeTensors(file, CaseTensors.IsCaseTensor);
        return (network, CaseTensors.Read(file, network.Description));
    }

    public override void VerifyAccepted(byte[] bytes, object loaded)
    {
        (RecurrentNetwork network, CaseTensors c) = ((RecurrentNetwork, CaseTensors))loaded;
        NetworkDescription d = network.Description;
        int slots = d.NumLayers * d.Directions;
        Assert.Equal(c.Steps * c.Batch * d.InputSize, c.Input.Length);
        Assert.True(c.H0 is null || c.H0.Length == slots * c.Batch * d.StateSize);
        Assert.True(c.C0 is null || (d.HasCellState && c.C0.Length == slots * c.Batch * d.HiddenSize));
        if (c.Lengths is not null)
        {
            Assert.Equal(c.Batch, c.Lengths.Length);
            Assert.All(c.Lengths, length => Assert.InRange(length, 1, c.Steps));
        }

        float[] output = new float[c.Steps * c.Batch * d.OutputSize];
        network.Forward(network.CreateWorkspace(c.Batch, c.Steps), c.Input, c.Steps, c.Batch, output, new InitialState(c.H0, c.C0), lengths: c.Lengths);
    }
}

using System;
using FastRnn.IO;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Reliability.Fuzzing;

/// <summary>
/// <see cref="NetworkFile.FromSafeTensors(SafeTensorsFile, Func{string, bool}?)"/>: an accepted file
/// gives a network holding exactly the file's tensors, and one step of it runs.
/// </summary>
internal sealed class NetworkFileTarget : ReaderTarget
{
    public override string Name => "network";

    public override byte[][] Seeds { get; } =
    [
        FuzzSeeds.NetworkFile(CellKind.Lstm),
        FuzzSeeds.NetworkFile(CellKind.Gru),
        FuzzSeeds.NetworkFile(CellKind.RnnRelu),
        FuzzSeeds.NetworkFile(new NetworkDescription(CellKind.Lstm, 2, 3)
        {
            Bidirectional = true,
            Activations = CellActivations.Lstm(Activation.Of(ActivationFunction.HardSigmoid, 0.2f, 0.5f), Activation.Of(ActivationFunction.Affine, 0.5f, 0.25f), Activation.Of(ActivationFunction.Softsign)),
            BackwardActivations = CellActivations.Lstm(Activation.Sigmoid, Activation.Of(ActivationFunction.LeakyRelu, 0.1f), Activation.Tanh),
        }),
    ];

    public override object Load(byte[] bytes) => NetworkFile.FromSafeTensors(SafeTensorsFile.Parse(bytes));

    public override void VerifyAccepted(byte[] bytes, object loaded)
    {
        var network = (RecurrentNetwork)loaded;
        SafeTensorsFile file = SafeTensorsFile.Parse(bytes);
        Assert.Equal(network.ParameterNames.Count, file.Tensors.Count);
        foreach (string name in network.ParameterNames)
        {
            Assert.Equal(file.ReadFloat32(name), network.GetParameter(name).ToArray());
        }

        NetworkDescription d = network.Description;
        float[] output = new float[d.OutputSize];
        network.Forward(network.CreateWorkspace(1, 1), new float[d.InputSize], 1, 1, output);
        // Finite weights and a zero input: at most an overflow to ±Inf (ReLU). ONNX activations with
        // huge parameters (an accepted mutant may hold Affine(1e38, ...)) can make Inf · 0 = NaN, as the math says.
        if (d.HasDefaultActivations)
        {
            Assert.DoesNotContain(output, float.IsNaN);
        }
    }
}

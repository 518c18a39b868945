using System.Collections.Generic;
using System.IO;
using FastRnn.Networks;
using FastRnn.Onnx;
using FastRnn.Tests.Onnx;
using Xunit;

namespace FastRnn.Tests.Reliability.Fuzzing;

/// <summary>
/// <see cref="OnnxImporter.Import(Stream, string?, string?, AmbiguousActivations)"/>: an accepted model
/// gives networks with valid descriptions, and one step of each runs. Seeds hold every kind of node
/// and the attributes that reach the core (activations and their parameters, clip, input_forget,
/// reverse, layout), so mutants exercise their validation.
/// </summary>
internal sealed class OnnxModelTarget : ReaderTarget
{
    public override string Name => "onnx";

    public override byte[][] Seeds { get; } =
    [
        OnnxModelBuilder.Bytes(OnnxModelBuilder.Build(OnnxNodeSpec.Random("LSTM", 5, 16, 1, directions: 2, peephole: true, clip: 2f)
            .WithActivations(["HardSigmoid", "Tanh", "Softsign", "Sigmoid", "Elu", "Tanh"], [0.2f, 0.9f], [0.5f]))),
        OnnxModelBuilder.Bytes(OnnxModelBuilder.Build(OnnxNodeSpec.Random("GRU", 4, 16, 2, linearBeforeReset: 0, layout: 1)
            .WithActivations(["LeakyRelu", "ScaledTanh"], [0.1f, 1.5f], [0.5f]))),
        OnnxModelBuilder.Bytes(OnnxModelBuilder.Build([OnnxNodeSpec.Random("RNN", 3, 16, 3, reverse: true), OnnxNodeSpec.Random("RNN", 16, 16, 4, reverse: true)])),
        OnnxModelBuilder.Bytes(OnnxModelBuilder.Build(OnnxNodeSpec.Random("LSTM", 3, 16, 5, inputForget: true).WithActivations(["Sigmoid", "Affine", "Softplus"], [0.5f], [0.25f]))),
    ];

    public override object Load(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return OnnxImporter.Import(stream, null, "fuzz.onnx");
    }

    public override void VerifyAccepted(byte[] bytes, object loaded)
    {
        foreach (ImportedNetwork imported in (IReadOnlyList<ImportedNetwork>)loaded)
        {
            NetworkDescription d = imported.Network.Description;
            d.Validate();
            float[] output = new float[d.OutputSize];
            imported.Network.Forward(imported.Network.CreateWorkspace(1, 1), new float[d.InputSize], 1, 1, output);
        }
    }
}

using System;
using System.IO;
using FastRnn.IO;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// <see cref="NetworkFile.Load(string, NetworkDescription)"/> on a file that records its own description
/// (<see cref="NetworkFile.Save"/>, an ONNX import, a conformance case): a given description that computes
/// something else than the record (what the shapes cannot show: tanh or relu, the GRU's reset form, the
/// direction, clip, coupled gates, activations) is refused naming both, as <see cref="ModuleFile"/> refuses
/// a contradicting <see cref="ModuleLoadOptions.Nonlinearity"/>, instead of loading weights trained for one
/// network into another. The layout (batch_first) is the caller's choice.
/// </summary>
public sealed class NetworkFileRecordedDescriptionTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fastrnn-recorded-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    public static TheoryData<string> Contradictions() => ["relu as tanh", "reset-before as reset-after", "reverse as forward", "clipped as unclipped", "hard-sigmoid gates as sigmoid"];

    [Theory]
    [MemberData(nameof(Contradictions))]
    public void ADescriptionThatContradictsTheRecordIsRefusedNamingBoth(string which)
    {
        (NetworkDescription recorded, NetworkDescription given, string recordedText, string givenText) = which switch
        {
            "relu as tanh" => (new NetworkDescription(CellKind.RnnRelu, 3, 4), new NetworkDescription(CellKind.RnnTanh, 3, 4), "RnnRelu (Standard)", "RnnTanh (Standard)"),
            "reset-before as reset-after" => (new NetworkDescription(CellKind.Gru, 3, 4) { Variant = CellVariant.ResetBefore }, new NetworkDescription(CellKind.Gru, 3, 4), "Gru (ResetBefore)", "Gru (Standard)"),
            "reverse as forward" => (new NetworkDescription(CellKind.Lstm, 3, 4) { Reverse = true }, new NetworkDescription(CellKind.Lstm, 3, 4), "bias True, reverse", "bias True;"),
            "clipped as unclipped" => (new NetworkDescription(CellKind.Lstm, 3, 4) { Clip = 0.5f }, new NetworkDescription(CellKind.Lstm, 3, 4), "bias True, clip 0.5", "bias True;"),
            _ => (new NetworkDescription(CellKind.Gru, 3, 4).WithActivations(CellActivations.Gru(Activation.Of(ActivationFunction.HardSigmoid, 0.2f, 0.5f), Activation.Tanh)),
                new NetworkDescription(CellKind.Gru, 3, 4), "bias True, activations HardSigmoid(0.2,0.5);Tanh", "bias True;"),
        };
        string path = Path.Combine(folder, "recorded.safetensors");
        NetworkFile.Save(RecurrentNetwork.CreateRandom(recorded, 1), path);

        var e = Assert.Throws<FastRnnFormatException>(() => NetworkFile.Load(path, given));
        Assert.Contains("recorded.safetensors", e.Message, StringComparison.Ordinal);
        Assert.Contains(recordedText, e.Message[..e.Message.IndexOf("given", StringComparison.Ordinal)], StringComparison.Ordinal);
        Assert.Contains(givenText, e.Message[e.Message.IndexOf("given", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Fact]
    public void TheRecordedDescriptionItselfOrAnotherLayoutLoads()
    {
        var recorded = new NetworkDescription(CellKind.Gru, 3, 4) { Variant = CellVariant.ResetBefore, NumLayers = 2 };
        string path = Path.Combine(folder, "same.safetensors");
        NetworkFile.Save(RecurrentNetwork.CreateRandom(recorded, 1), path);

        Assert.Equal(recorded, NetworkFile.Load(path, recorded).Description);
        Assert.Equal(recorded with { BatchFirst = true }, NetworkFile.Load(path, recorded with { BatchFirst = true }).Description);
    }
}

using System;
using FastRnn.Networks;
using FastRnn.Training;
using Xunit;

namespace FastRnn.Tests.Training;

/// <summary>
/// A network with an option only inference supports (ONNX clip, input_forget, other activation
/// functions) is refused by training with a message that names the option this network has, not
/// only the list of options that could be the reason.
/// </summary>
public sealed class TrainingRefusalNamesTheInferenceOnlyOptionTests
{
    [Fact]
    public void TheRefusalNamesTheNetworksOwnOptions()
    {
        var clipped = new NetworkDescription(CellKind.Lstm, 3, 4) { Clip = 1.5f, Reverse = true };
        NotSupportedException e = Assert.Throws<NotSupportedException>(() => new TrainingSession(RecurrentNetwork.CreateRandom(clipped, 1), 2, 3));
        Assert.Contains("this network has clip 1.5:", e.Message, StringComparison.Ordinal);
        Assert.Contains("inference only", e.Message, StringComparison.Ordinal);

        var coupled = new NetworkDescription(CellKind.Lstm, 3, 4) { CoupledInputForget = true };
        e = Assert.Throws<NotSupportedException>(() => new TrainingSession(RecurrentNetwork.CreateRandom(coupled, 1), 2, 3));
        Assert.Contains("this network has input_forget:", e.Message, StringComparison.Ordinal);

        var activations = new NetworkDescription(CellKind.Lstm, 3, 4)
        {
            Activations = CellActivations.Lstm(Activation.Of(ActivationFunction.HardSigmoid, 0.2f, 0.5f), Activation.Tanh, Activation.Tanh),
        };
        e = Assert.Throws<NotSupportedException>(() => new TrainingSession(RecurrentNetwork.CreateRandom(activations, 1), 2, 3));
        Assert.Contains("this network has activations HardSigmoid(0.2,0.5)", e.Message, StringComparison.Ordinal);
    }
}

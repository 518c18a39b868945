using System;
using FastRnn.IO;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Modules;

/// <summary>
/// What a module file's names and shapes say beyond the cell kind: a peephole LSTM's state_dict under a prefix
/// (README: weight_ci/cf/co_l{k} are read, "inside a module they sit under its prefix"), and a
/// projection whose weight_hr_l0 is stored the other way round.
/// </summary>
public sealed class ModuleFileVariantInferenceTests
{
    [Theory]
    [InlineData("encoder.lstm.", false, 1)]
    [InlineData("encoder.lstm.", true, 2)]
    [InlineData("", false, 1)] // a bare layer's state_dict, no metadata
    [InlineData("", true, 3)]
    public void APeepholeLstmIsInferredFromItsPeepholeNames(string prefix, bool bidirectional, int layers)
    {
        var description = new NetworkDescription(CellKind.Lstm, 3, 5) { Variant = CellVariant.Peephole, Bidirectional = bidirectional, NumLayers = layers };
        RecurrentNetwork saved = RecurrentNetwork.CreateRandom(description, seed: 11);
        SafeTensorsWriter writer = ModuleBytes.Recurrent(saved, prefix);
        ModuleBytes.AddHead(writer, "decoder.proj.", 4, description.OutputSize);

        LoadedModule module = ModuleFile.Load(writer.ToArray(), new ModuleLoadOptions { RnnPrefix = prefix, HeadPrefix = "decoder.proj." });

        Assert.Equal(description, module.Network.Description);
        Assert.Equal(Forward(saved), Forward(module.Network)); // bit for bit: the peepholes are used, not dropped
    }

    [Fact]
    public void APeepholeTensorOfAnotherLayerWithoutTheFirstLayersIsStillRefused()
    {
        // Only weight_ci_l0 makes the layer a peephole LSTM; a stray peephole tensor elsewhere is named.
        RecurrentNetwork saved = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, 3, 5) { Variant = CellVariant.Peephole, NumLayers = 2 }, seed: 11);
        SafeTensorsWriter writer = ModuleBytes.Recurrent(saved, "rnn.", name => name.EndsWith("_l0", StringComparison.Ordinal) && name.StartsWith("weight_c", StringComparison.Ordinal));
        var e = Assert.Throws<FastRnnFormatException>(() => ModuleFile.Load(writer.ToArray(), new ModuleLoadOptions { RnnPrefix = "rnn." }));
        Assert.Contains("unexpected tensor rnn.weight_ci_l1 F32 [5]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AGruWithPeepholeNamesIsRefusedByName()
    {
        RecurrentNetwork saved = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Gru, 3, 5), seed: 11);
        SafeTensorsWriter writer = ModuleBytes.Recurrent(saved, "rnn.");
        writer.Add("rnn.weight_ci_l0", new float[5], [5]);
        var e = Assert.Throws<FastRnnFormatException>(() => ModuleFile.Load(writer.ToArray(), new ModuleLoadOptions { RnnPrefix = "rnn." }));
        Assert.Contains("unexpected tensor rnn.weight_ci_l0 F32 [5] under prefix 'rnn.'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AProjectionStoredTheOtherWayRoundNamesTheShapeItShouldHave()
    {
        // nn.LSTM(3, 4, proj_size=2): weight_hr_l0 is [2, 4]; stored as [4, 2] (a Keras-style kernel) it
        // made "16 gate rows for hidden size 2 is not 4H ..." with no shape to aim for.
        RecurrentNetwork saved = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, 3, 4) { ProjectionSize = 2 }, seed: 11);
        SafeTensorsWriter writer = ModuleBytes.Recurrent(saved, "rnn.", name => name == "weight_hr_l0");
        writer.Add("rnn.weight_hr_l0", new float[8], [4, 2]);
        var e = Assert.Throws<FastRnnFormatException>(() => ModuleFile.Load(writer.ToArray(), new ModuleLoadOptions { RnnPrefix = "rnn." }));
        Assert.Contains("rnn.weight_hr_l0 is [proj_size, hidden_size], here [2, 4]", e.Message, StringComparison.Ordinal);
        Assert.Contains("not [4, 2]", e.Message, StringComparison.Ordinal);
    }

    private static float[] Forward(RecurrentNetwork network)
    {
        const int Steps = 5, Batch = 2;
        NetworkDescription d = network.Description;
        var x = new float[Steps * Batch * d.InputSize];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = ((((i * 7) + 3) % 11) - 5) * 0.3f;
        }

        var y = new float[Steps * Batch * d.OutputSize];
        network.Forward(network.CreateWorkspace(Batch, Steps), x, Steps, Batch, y);
        return y;
    }
}

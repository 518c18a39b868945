using System;
using FastRnn.Heads;
using FastRnn.IO;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Modules;

/// <summary>Every way a module file or its options can be wrong fails with a message naming the tensor, its shape and what was expected.</summary>
public sealed class ModuleFileErrorTests
{
    private static readonly ModuleLoadOptions Options = new() { RnnPrefix = "rnn.", HeadPrefix = "head." };

    [Fact]
    public void ARecurrentPrefixMatchingNothingListsThePrefixesThatExist()
    {
        SafeTensorsWriter writer = ModuleBytes.LstmWithHead(out RecurrentNetwork network);
        ModuleBytes.AddRecurrent(writer, network, "encoder.lstm.");
        string message = Refused(writer, Options with { RnnPrefix = "lstm." });
        Assert.Contains("no recurrent layer at prefix 'lstm.': no tensor name starts with 'lstm.'", message, StringComparison.Ordinal);
        Assert.Contains("names cut at 'weight_ih_l0'): 'rnn.', 'encoder.lstm.'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void APrefixWithoutTheRecurrentLayerNamesWhatItHolds()
    {
        string message = Refused(ModuleBytes.LstmWithHead(out _), Options with { RnnPrefix = "head.", HeadPrefix = null });
        Assert.Contains("'head.weight_ih_l0' is missing (under that prefix: 'head.weight F32 [5, 8]', 'head.bias F32 [5]')", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHeadPrefixMatchingNothingListsTheMatricesThatCouldBeAHead()
    {
        string message = Refused(ModuleBytes.LstmWithHead(out _), Options with { HeadPrefix = "fc." });
        Assert.Contains("no dense head at prefix 'fc.': no tensor name starts with 'fc.'", message, StringComparison.Ordinal);
        Assert.Contains("(names cut at 'weight'): 'head.'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingHeadWeightIsNamed()
    {
        SafeTensorsWriter writer = ModuleBytes.Recurrent(LstmNetwork(), "rnn.");
        writer.Add("head.bias", new float[5], [5]);
        Assert.Contains("missing head weight 'head.weight' (under that prefix: 'head.bias F32 [5]')", Refused(writer, Options), StringComparison.Ordinal);
    }

    [Fact]
    public void AHeadWhoseInputIsNotTheNetworkOutputIsRefused()
    {
        SafeTensorsWriter writer = ModuleBytes.Recurrent(LstmNetwork(), "rnn.");
        ModuleBytes.AddHead(writer, "head.", 5, 9);
        Assert.Contains("head weight head.weight F32 [5, 9] takes 9 inputs, but the network at prefix 'rnn.' outputs 8 features per step (expected [5, 8])", Refused(writer, Options), StringComparison.Ordinal);
    }

    [Fact]
    public void AHeadBiasOfAnotherLengthAndOtherHeadTensorsAreRefused()
    {
        SafeTensorsWriter writer = ModuleBytes.Recurrent(LstmNetwork(), "rnn.");
        writer.Add("head.weight", new float[40], [5, 8]);
        writer.Add("head.bias", new float[4], [4]);
        Assert.Contains("head bias head.bias F32 [4] should have shape [5]", Refused(writer, Options), StringComparison.Ordinal);

        writer = ModuleBytes.Recurrent(LstmNetwork(), "rnn.");
        ModuleBytes.AddHead(writer, "head.", 5, 8);
        writer.Add("head.scale", new float[5], [5]);
        Assert.Contains("unexpected tensor head.scale F32 [5] under head prefix 'head.'", Refused(writer, Options), StringComparison.Ordinal);
    }

    [Fact]
    public void NonFiniteWeightsAreRefusedWithTheirIndex()
    {
        SafeTensorsWriter writer = ModuleBytes.Recurrent(LstmNetwork(), "rnn.", name => name == "weight_hh_l1");
        float[] hh = new float[32 * 8];
        hh[17] = float.NaN;
        writer.Add("rnn.weight_hh_l1", hh, [32, 8]);
        ModuleBytes.AddHead(writer, "head.", 5, 8);
        Assert.Contains("tensor 'rnn.weight_hh_l1' holds NaN at index 17; weights must be finite", Refused(writer, Options), StringComparison.Ordinal);

        writer = ModuleBytes.Recurrent(LstmNetwork(), "rnn.");
        float[] head = new float[40];
        head[3] = float.PositiveInfinity;
        writer.Add("head.weight", head, [5, 8]);
        Assert.Contains("tensor 'head.weight' holds Infinity at index 3", Refused(writer, Options), StringComparison.Ordinal);
    }

    [Fact]
    public void AnInconsistentShapeNamesTheTensorAndTheShapeTheOthersImply()
    {
        SafeTensorsWriter writer = ModuleBytes.Recurrent(LstmNetwork(), "rnn.", name => name == "weight_ih_l1");
        writer.Add("rnn.weight_ih_l1", new float[32 * 7], [32, 7]);
        string message = Refused(writer, Options with { HeadPrefix = null });
        Assert.Contains("tensor rnn.weight_ih_l1 F32 [32, 7] has the wrong shape; a 2-layer Lstm with input size 3, hidden size 8 (inferred from rnn.weight_ih_l0 F32 [32, 3], rnn.weight_hh_l0 F32 [32, 8] and the layer names) needs [32, 8]", message, StringComparison.Ordinal);
    }

    [Fact]
    public void GateRowsThatAreNoCellAreRefused()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("rnn.weight_ih_l0", new float[16 * 3], [16, 3]);
        writer.Add("rnn.weight_hh_l0", new float[16 * 8], [16, 8]);
        Assert.Contains("rnn.weight_hh_l0 F32 [16, 8]: 16 gate rows for hidden size 8 is not 4H (LSTM), 3H (GRU) or H (RNN)", Refused(writer, Options with { HeadPrefix = null }), StringComparison.Ordinal);
    }

    [Fact]
    public void AVanillaRnnNeedsItsNonlinearityAndAGatedCellRefusesOne()
    {
        var rnn = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.RnnTanh, 3, 8), seed: 1);
        Assert.Contains("describe a vanilla RNN at prefix 'rnn.' (H gate rows), whose weights do not say tanh or relu; set ModuleLoadOptions.Nonlinearity", Refused(ModuleBytes.Recurrent(rnn, "rnn."), Options with { HeadPrefix = null }), StringComparison.Ordinal);
        Assert.Equal(CellKind.RnnRelu, ModuleFile.Load(ModuleBytes.Recurrent(rnn, "rnn.").ToArray(), Options with { HeadPrefix = null, Nonlinearity = RnnNonlinearity.Relu }).Network.Description.Kind);

        string message = Refused(ModuleBytes.LstmWithHead(out _), Options with { Nonlinearity = RnnNonlinearity.Tanh });
        Assert.Contains("Nonlinearity Tanh was given, but the 4H gate rows of rnn.weight_hh_l0 F32 [32, 8] make the layer at prefix 'rnn.' an LSTM, which has no such option", message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnexpectedAndMissingRecurrentTensorsAreNamed()
    {
        SafeTensorsWriter writer = ModuleBytes.LstmWithHead(out _);
        writer.Add("rnn.weight_ih_l3", new float[32 * 8], [32, 8]); // layer 2 is absent, so this one is not a layer
        Assert.Contains("unexpected tensor rnn.weight_ih_l3 F32 [32, 8] under prefix 'rnn.': a 2-layer Lstm", Refused(writer, Options), StringComparison.Ordinal);

        writer = ModuleBytes.Recurrent(LstmNetwork(), "rnn.", name => name == "bias_hh_l1");
        ModuleBytes.AddHead(writer, "head.", 5, 8);
        Assert.Contains("missing tensor 'rnn.bias_hh_l1' of shape [32] for a 2-layer Lstm", Refused(writer, Options), StringComparison.Ordinal);
    }

    [Fact]
    public void WeightsThatAreNotFloatsAreRefused()
    {
        SafeTensorsWriter writer = ModuleBytes.Recurrent(LstmNetwork(), "rnn.", name => name == "bias_ih_l0");
        writer.Add("rnn.bias_ih_l0", new long[32], [32]);
        ModuleBytes.AddHead(writer, "head.", 5, 8);
        Assert.Contains("tensor 'rnn.bias_ih_l0' has dtype I64; weights must be F32, F16 or BF16", Refused(writer, Options), StringComparison.Ordinal);
    }

    [Fact]
    public void OtherTensorsAreRefusedAndListedUpToTenNames()
    {
        SafeTensorsWriter writer = ModuleBytes.LstmWithHead(out _);
        for (int i = 0; i < 12; i++)
        {
            writer.Add($"norm{i}.weight", new float[2], [2]);
        }

        string message = Refused(writer, Options);
        Assert.Contains("12 tensors are under neither prefix 'rnn.' nor 'head.': 'norm0.weight', 'norm1.weight',", message, StringComparison.Ordinal);
        Assert.Contains("'norm9.weight' and 2 more. Set ModuleLoadOptions.IgnoreOtherTensors to skip them.", message, StringComparison.Ordinal);
        Assert.DoesNotContain("norm10", message, StringComparison.Ordinal);

        // A hostile name is quoted in part, so a message stays small whatever the file holds.
        writer = ModuleBytes.LstmWithHead(out _);
        writer.Add(new string('x', 100_000), new float[1], [1]);
        message = Refused(writer, Options);
        Assert.Contains($"'{new string('x', 120)}…'", message, StringComparison.Ordinal);
        Assert.True(message.Length < 1000, $"{message.Length} characters");
    }

    [Fact]
    public void BadOptionsAreArgumentErrors()
    {
        byte[] bytes = ModuleBytes.LstmWithHead(out _).ToArray();
        Assert.Contains("RnnPrefix and HeadPrefix are both 'rnn.'", Assert.Throws<ArgumentException>(() => ModuleFile.Load(bytes, Options with { HeadPrefix = "rnn" })).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ModuleFile.Load(bytes, Options with { HeadPrefix = "" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ModuleFile.Load(bytes, Options with { HeadActivation = (HeadActivation)7 }));
        Assert.Throws<ArgumentNullException>(() => ModuleFile.Load(bytes, null!));
        Assert.Throws<ArgumentNullException>(() => ModuleFile.Load(bytes, Options with { RnnPrefix = null! }));
    }

    [Fact]
    public void ACorruptFileFailsAsAFormatError()
    {
        byte[] bytes = ModuleBytes.LstmWithHead(out _).ToArray();
        string message = Assert.Throws<FastRnnFormatException>(() => ModuleFile.Load(bytes.AsMemory(0, bytes.Length - 3), Options, "model.safetensors")).Message;
        Assert.Contains("Invalid safetensors file 'model.safetensors'", message, StringComparison.Ordinal);
    }

    private static RecurrentNetwork LstmNetwork() =>
        RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, 3, 8) { NumLayers = 2 }, seed: 3);

    private static string Refused(SafeTensorsWriter writer, ModuleLoadOptions options) =>
        Assert.Throws<FastRnnFormatException>(() => ModuleFile.Load(writer.ToArray(), options, "model.safetensors")).Message;
}

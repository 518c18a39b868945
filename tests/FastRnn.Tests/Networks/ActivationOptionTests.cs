using System;
using System.Collections.Generic;
using System.IO;
using FastRnn.IO;
using FastRnn.Networks;
using FastRnn.Tests.Onnx;
using FastRnn.Training;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// ONNX activation functions as a network option: checked, written and read back as metadata,
/// refused by training, hostile metadata refused with a message; the same step by step as over a sequence.
/// Their numerics are judged against the ONNX-semantics reference in the Onnx tests.
/// </summary>
public class ActivationOptionTests
{
    [Theory]
    [InlineData("Tanh")]
    [InlineData("LeakyRelu(0.1)")]
    [InlineData("HardSigmoid(0.2,0.5)")]
    [InlineData("Affine(-1.5,2.25)")]
    [InlineData("Softplus")]
    public void An_activation_reads_back_what_it_writes(string text)
    {
        Activation a = Activation.Parse(text);
        Assert.Equal(text, a.ToString());
        Assert.Equal(a, Activation.Parse(a.ToString()));
    }

    [Theory]
    [InlineData("tanh", "is not an activation")]
    [InlineData("Swish", "is not an activation")]
    [InlineData("1", "is not an activation")]
    [InlineData("Sigmoid,Tanh", "is not an activation")]
    [InlineData("LeakyRelu", "takes 1 parameter")]
    [InlineData("LeakyRelu(0.1,2)", "takes 1 parameter")]
    [InlineData("Tanh(1)", "takes 0 parameter")]
    [InlineData("Elu(NaN)", "not a finite number")]
    [InlineData("Affine(1,", "takes 2 parameter")]
    public void Malformed_activations_are_refused_with_the_reason(string text, string reason) =>
        Assert.Contains(reason, Assert.Throws<FormatException>(() => Activation.Parse(text)).Message, StringComparison.Ordinal);

    [Fact]
    public void A_parameter_the_function_does_not_take_is_refused()
    {
        var d = new NetworkDescription(CellKind.Gru, 3, 4) { Activations = CellActivations.Gru(new Activation(ActivationFunction.Softsign, 0.5f), Activation.Tanh) };
        Assert.Contains("Softsign takes no alpha", Assert.Throws<ArgumentException>(d.Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_role_the_cell_does_not_have_must_keep_its_default()
    {
        var d = new NetworkDescription(CellKind.RnnTanh, 3, 4) { Activations = CellActivations.Lstm(Activation.Relu, Activation.Tanh, Activation.Tanh) };
        Assert.Contains("no gate activation", Assert.Throws<ArgumentException>(d.Validate).Message, StringComparison.Ordinal);
        var g = new NetworkDescription(CellKind.Gru, 3, 4) { Activations = CellActivations.Lstm(Activation.Sigmoid, Activation.Tanh, Activation.Relu) };
        Assert.Contains("no cell output activation", Assert.Throws<ArgumentException>(g.Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Backward_activations_need_a_bidirectional_network()
    {
        var d = new NetworkDescription(CellKind.Lstm, 3, 4) { BackwardActivations = CellActivations.Standard };
        Assert.Contains("not bidirectional", Assert.Throws<ArgumentException>(d.Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Equal_networks_have_equal_descriptions_however_their_functions_are_given()
    {
        var d = new NetworkDescription(CellKind.Gru, 3, 4) { Bidirectional = true };
        CellActivations softsign = CellActivations.Gru(Activation.Of(ActivationFunction.Softsign), Activation.Tanh);
        Assert.Equal(d, d.WithActivations(CellActivations.Standard, CellActivations.Standard));
        Assert.Equal(d.WithActivations(softsign), d.WithActivations(softsign, softsign));
        Assert.Null(d.WithActivations(softsign, softsign).BackwardActivations);
        Assert.Equal(CellActivations.Standard, d.WithActivations(CellActivations.Standard, softsign).Activations);
        Assert.Equal(softsign, d.WithActivations(CellActivations.Standard, softsign).ActivationsOf(1));
    }

    [Fact]
    public void The_default_functions_written_out_are_the_defaults()
    {
        var d = new NetworkDescription(CellKind.RnnRelu, 3, 4) { Activations = CellActivations.Rnn(Activation.Relu) };
        Assert.True(d.HasDefaultActivations);
        Assert.False(d.InferenceOnly);
        Assert.DoesNotContain(NetworkFile.Metadata(d), e => e.Key == "activations");
    }

    [Fact]
    public void Training_refuses_onnx_activations()
    {
        var d = new NetworkDescription(CellKind.Lstm, 3, 4) { Activations = CellActivations.Lstm(Activation.Of(ActivationFunction.HardSigmoid, 0.2f, 0.5f), Activation.Tanh, Activation.Tanh) };
        NotSupportedException e = Assert.Throws<NotSupportedException>(() => new TrainingSession(RecurrentNetwork.CreateRandom(d, 1), 2, 3));
        Assert.Contains("inference only", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<CellKind, bool, string> SavedNetworks() => new()
    {
        { CellKind.Lstm, false, "HardSigmoid(0.2,0.5);Elu(1.5);Softsign" },
        { CellKind.Lstm, true, "Sigmoid;Tanh;Tanh;LeakyRelu(0.1);ScaledTanh(1.5,0.5);Softplus" },
        { CellKind.Gru, true, "ThresholdedRelu(0.25);Affine(0.5,0.1);ThresholdedRelu(0.25);Affine(0.5,0.1)" },
        { CellKind.RnnTanh, false, "Softsign" },
    };

    [Theory]
    [MemberData(nameof(SavedNetworks))]
    public void Activations_survive_a_save_and_load(CellKind kind, bool bidirectional, string activations)
    {
        NetworkDescription d = WithActivations(new NetworkDescription(kind, 3, 5) { NumLayers = 2, Bidirectional = bidirectional }, activations);
        RecurrentNetwork loaded = NetworkChecks.RoundTrip(RecurrentNetwork.CreateRandom(d, 2));
        Assert.Contains(NetworkFile.Metadata(loaded.Description), e => e.Key == "activations" && e.Value == activations);
    }

    [Theory]
    [InlineData("Sigmoid;Tanh", "lists 2 function(s); a Lstm network with 1 direction(s) needs 3")]
    [InlineData("Sigmoid;Tanh;Swish", "entry 2: 'Swish' is not an activation")]
    [InlineData("Sigmoid;Tanh;LeakyRelu(Infinity)", "not a finite number")]
    [InlineData("", "lists 1 function(s)")]
    public void Hostile_activation_metadata_is_refused_with_a_message(string value, string named)
    {
        var d = new NetworkDescription(CellKind.Lstm, 3, 4);
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(d, 1);
        var writer = new SafeTensorsWriter();
        foreach ((string key, string v) in NetworkFile.Metadata(d))
        {
            writer.SetMetadata(key, v);
        }

        writer.SetMetadata("activations", value);
        foreach ((string name, int[] shape) in d.ParameterShapes())
        {
            writer.Add(name, network.GetParameter(name), shape);
        }

        string path = Path.Combine(Path.GetTempPath(), $"fastrnn-activations-hostile-{Guid.NewGuid():N}.safetensors");
        try
        {
            writer.Save(path);
            FastRnnFormatException e = Assert.Throws<FastRnnFormatException>(() => NetworkFile.Load(path));
            Assert.Contains(named, e.Message, StringComparison.Ordinal);
            Assert.Contains("metadata activations", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(CellKind.Lstm, CellVariant.Peephole, "HardSigmoid(0.2,0.5);Elu(0.7);Softsign")]
    [InlineData(CellKind.Lstm, CellVariant.Standard, "Sigmoid;Affine(0.5,0.25);ScaledTanh(1.25,0.75)")]
    [InlineData(CellKind.Gru, CellVariant.Standard, "Softsign;LeakyRelu(0.2)")]
    [InlineData(CellKind.Gru, CellVariant.ResetBefore, "HardSigmoid(0.3,0.4);Softplus")]
    [InlineData(CellKind.RnnTanh, CellVariant.Standard, "ThresholdedRelu(0.1)")]
    public void A_network_with_onnx_activations_streams_step_by_step_as_it_runs_a_sequence(CellKind kind, CellVariant variant, string activations)
    {
        const int steps = 5, batch = 2, input = 4, hidden = 6;
        NetworkDescription d = WithActivations(new NetworkDescription(kind, input, hidden) { Variant = variant }, activations);
        NetworkChecks.AssertStreamsAsSequence(RecurrentNetwork.CreateRandom(d, 4), OnnxNodeSpec.RandomValues(steps * batch * input, 5), steps, batch);
    }

    private static NetworkDescription WithActivations(NetworkDescription d, string text)
    {
        var list = new List<Activation>();
        foreach (string entry in text.Split(';'))
        {
            list.Add(Activation.Parse(entry));
        }

        int roles = CellActivations.RolesOf(d.Kind);
        CellActivations forward = CellActivations.FromOnnxOrder(d.Kind, list.ToArray().AsSpan(0, roles));
        CellActivations? backward = list.Count > roles ? CellActivations.FromOnnxOrder(d.Kind, list.ToArray().AsSpan(roles, roles)) : null;
        return d.WithActivations(forward, backward);
    }
}

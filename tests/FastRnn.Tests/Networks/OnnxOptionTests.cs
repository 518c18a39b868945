using System;
using System.IO;
using FastRnn.IO;
using FastRnn.Networks;
using FastRnn.Tests.Onnx;
using FastRnn.Training;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// The options that exist for ONNX imports (reverse, cell clip, coupled input/forget gates): checked,
/// saved and reloaded, refused where unsupported, and the same step by step as over a whole sequence.
/// Their numerics are judged against the ONNX-semantics reference in the Onnx tests.
/// </summary>
public class OnnxOptionTests
{
    [Theory]
    [InlineData(0f)]
    [InlineData(-2f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void A_clip_that_is_not_positive_and_finite_is_refused(float clip)
    {
        var d = new NetworkDescription(CellKind.Gru, 3, 4) { Clip = clip };
        Assert.Contains("must be a positive finite number", Assert.Throws<ArgumentException>(d.Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Coupled_gates_exist_for_lstm_only()
    {
        var d = new NetworkDescription(CellKind.Gru, 3, 4) { CoupledInputForget = true };
        Assert.Contains("LSTM only", Assert.Throws<ArgumentException>(d.Validate).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Training_refuses_the_inference_only_options(bool clip, bool coupled)
    {
        var d = new NetworkDescription(CellKind.Lstm, 3, 4) { Clip = clip ? 1.5f : null, CoupledInputForget = coupled };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(d, 1);
        NotSupportedException e = Assert.Throws<NotSupportedException>(() => new TrainingSession(network, 2, 3));
        Assert.Contains("inference only", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CellKind.Lstm, true, 0.3f, true)]
    [InlineData(CellKind.Gru, false, 2.5f, false)]
    [InlineData(CellKind.RnnTanh, true, null, false)]
    public void The_options_survive_a_save_and_load(CellKind kind, bool reverse, float? clip, bool coupled)
    {
        var d = new NetworkDescription(kind, 3, 5) { NumLayers = 2, Reverse = reverse, Clip = clip, CoupledInputForget = coupled };
        NetworkChecks.RoundTrip(RecurrentNetwork.CreateRandom(d, 2));
    }

    [Theory]
    [InlineData(CellKind.Lstm, CellVariant.Peephole, true)]
    [InlineData(CellKind.Lstm, CellVariant.Standard, false)]
    [InlineData(CellKind.Gru, CellVariant.Standard, false)]
    [InlineData(CellKind.Gru, CellVariant.ResetBefore, false)]
    [InlineData(CellKind.RnnRelu, CellVariant.Standard, false)]
    public void A_clipped_network_streams_step_by_step_as_it_runs_a_sequence(CellKind kind, CellVariant variant, bool coupled)
    {
        const int steps = 5, batch = 2, input = 4, hidden = 6;
        var d = new NetworkDescription(kind, input, hidden) { Variant = variant, Clip = 0.2f, CoupledInputForget = coupled };
        float[] sequence = NetworkChecks.AssertStreamsAsSequence(RecurrentNetwork.CreateRandom(d, 4), Values(steps * batch * input, 5), steps, batch);

        // Every |pre-activation| ≤ 0.2 here bounds a tanh RNN's or ReLU's output by 0.2.
        if (kind == CellKind.RnnRelu)
        {
            Assert.All(sequence, v => Assert.InRange(v, 0f, 0.2f));
        }
    }

    // Uniform in [-2, 2): large enough that many pre-activations pass a clip of 0.2.
    private static float[] Values(int count, int seed) => Array.ConvertAll(OnnxNodeSpec.RandomValues(count, seed), v => 2 * v);
}

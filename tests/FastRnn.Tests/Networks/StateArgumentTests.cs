using System;
using System.Linq;
using System.Reflection;
using FastRnn.Layers;
using FastRnn.Networks;
using FastRnn.Tests.Reference;
using FastRnn.Training;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// The states of a whole-sequence call are passed as <see cref="InitialState"/> and
/// <see cref="FinalState"/>: PyTorch's <c>lstm(x, (h0, c0))</c> becomes
/// <c>Forward(ws, x, T, B, y, new InitialState(h0, c0))</c>, and it starts from those states.
/// </summary>
public sealed class StateArgumentTests
{
    private const int Steps = 6, Batch = 3, Input = 5, Hidden = 7, Layers = 2, Slots = Layers * 2;

    private static readonly ReferenceConfig Config = new()
    {
        Mode = ReferenceMode.Lstm,
        InputSize = Input,
        HiddenSize = Hidden,
        NumLayers = Layers,
        Bidirectional = true,
    };

    [Fact]
    public void TheInitialStateInPyTorchOrderIsWhereTheCallStartsAndIsLeftUnchanged()
    {
        var random = new Random(16);
        var weights = NetworkFactory.RandomWeights(Config, random, 0.5);
        double[] x = NetworkFactory.RandomFloats(random, Steps * Batch * Input, 1.0);
        double[] h0 = NetworkFactory.RandomFloats(random, Slots * Batch * Hidden, 1.0);
        double[] c0 = NetworkFactory.RandomFloats(random, Slots * Batch * Hidden, 1.0);
        RecurrentNetwork network = NetworkFactory.Build(Config, weights);
        float[] h0f = NetworkFactory.ToFloat(h0)!, c0f = NetworkFactory.ToFloat(c0)!;
        float[] h0Before = (float[])h0f.Clone(), c0Before = (float[])c0f.Clone();

        float[] output = new float[Steps * Batch * 2 * Hidden];
        network.Forward(network.CreateWorkspace(Batch, Steps), NetworkFactory.ToFloat(x), Steps, Batch, output, new InitialState(h0f, c0f));

        ReferenceForwardResult expected = ReferenceNetwork.Forward(Config, weights, x, Steps, Batch, h0, c0, null);
        ReferenceForwardResult fromZeros = ReferenceNetwork.Forward(Config, weights, x, Steps, Batch, null, null, null);
        Assert.True(ReferenceTolerance.RelativeError(NetworkFactory.ToDouble(output), expected.Output) <= 1e-5);
        Assert.True(ReferenceTolerance.RelativeError(NetworkFactory.ToDouble(output), fromZeros.Output) > 1e-3);
        Assert.Equal(h0Before, h0f);
        Assert.Equal(c0Before, c0f);
    }

    [Fact]
    public void AFinalStatePassedOnAsTheNextInitialStateContinuesTheSequenceBitForBit()
    {
        var d = new NetworkDescription(CellKind.Lstm, Input, Hidden) { NumLayers = Layers };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(d, 17);
        float[] x = new float[Steps * Batch * Input];
        var random = new Random(18);
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)((random.NextDouble() * 2) - 1);
        }

        int half = Steps / 2, rowsIn = half * Batch * Input, rowsOut = half * Batch * Hidden, state = Layers * Batch * Hidden;
        float[] whole = new float[Steps * Batch * Hidden], hn = new float[state], cn = new float[state];
        SequenceWorkspace workspace = network.CreateWorkspace(Batch, Steps);
        network.Forward(workspace, x, Steps, Batch, whole, final: new FinalState(hn, cn));

        float[] split = new float[whole.Length], h = new float[state], c = new float[state];
        network.Forward(workspace, x.AsSpan(0, rowsIn), half, Batch, split.AsSpan(0, rowsOut), final: new FinalState(h, c));
        network.Forward(workspace, x.AsSpan(rowsIn), half, Batch, split.AsSpan(rowsOut), new InitialState(h, c), new FinalState(h, c));
        Assert.Equal(whole, split);
        Assert.Equal(hn, h);
        Assert.Equal(cn, c);

        var training = new TrainingSession(network, Batch, Steps);
        float[] trained = new float[whole.Length], th = new float[state], tc = new float[state];
        training.Forward(x.AsSpan(0, rowsIn), half, Batch, trained.AsSpan(0, rowsOut), final: new FinalState(th, tc));
        training.Forward(x.AsSpan(rowsIn), half, Batch, trained.AsSpan(rowsOut), new InitialState(th, tc), new FinalState(th, tc));
        Assert.Equal(whole, trained);
        Assert.Equal(hn, th);
    }

    [Fact]
    public void NoSpanConvertsToAStateSoAStateInTheWrongPlaceDoesNotCompile()
    {
        // The guarantee rests on the two types being distinct and on nothing converting to them
        // implicitly: a user-defined conversion from a span would bring the positional trap back.
        foreach (Type type in new[] { typeof(InitialState), typeof(FinalState), typeof(FinalStateGradient), typeof(InitialStateGradient) })
        {
            Assert.DoesNotContain(type.GetMethods(BindingFlags.Public | BindingFlags.Static), m => m.Name is "op_Implicit" or "op_Explicit");
        }

        foreach (MethodInfo forward in new[] { typeof(RecurrentNetwork).GetMethod(nameof(RecurrentNetwork.Forward))!, typeof(TrainingSession).GetMethod(nameof(TrainingSession.Forward))! })
        {
            Type[] types = forward.GetParameters().Select(p => p.ParameterType).ToArray();
            Assert.Single(types, t => t == typeof(InitialState));
            Assert.Single(types, t => t == typeof(FinalState));
            Assert.DoesNotContain(typeof(ReadOnlySpan<float>), types.SkipWhile(t => t != typeof(Span<float>)));
        }

        // Backward: one read-only span in (dL/dy), one writable span out (dL/dx); the states' gradients are structs.
        Type[] backward = typeof(TrainingSession).GetMethod(nameof(TrainingSession.Backward))!.GetParameters().Select(p => p.ParameterType).ToArray();
        Assert.Single(backward, t => t == typeof(ReadOnlySpan<float>));
        Assert.Single(backward, t => t == typeof(Span<float>));
        Assert.Single(backward, t => t == typeof(FinalStateGradient));
        Assert.Single(backward, t => t == typeof(InitialStateGradient));
    }
}

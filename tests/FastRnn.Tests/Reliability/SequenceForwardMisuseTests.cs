using System;
using FastRnn.Layers;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Reliability;

/// <summary>
/// <see cref="RecurrentNetwork.Forward"/> refuses every malformed call with a message naming the
/// expected and actual values, before touching the workspace or any output.
/// </summary>
public sealed class SequenceForwardMisuseTests
{
    private const int Steps = 4, Batch = 3, Input = 5, Hidden = 6, Layers = 2;
    private readonly RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, Input, Hidden) { NumLayers = Layers }, 1);
    private readonly RecurrentNetwork gru = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Gru, Input, Hidden), 2);
    private readonly float[] input = new float[Steps * Batch * Input];

    // Outputs start as sentinels: every refused call below must leave them as they were.
    private readonly float[] output = Misuse.Sentinels(Steps * Batch * Hidden);
    private readonly float[] states = Misuse.Sentinels(Layers * Batch * Hidden);
    private readonly float[] cells = Misuse.Sentinels(Layers * Batch * Hidden);

    private SequenceWorkspace Workspace => network.CreateWorkspace(Batch, Steps);

    [Fact]
    public void StepsOutsideOneToTheWorkspaceMaximumAreRefused()
    {
        SequenceWorkspace ws = Workspace;
        float[] longOutput = Misuse.Sentinels(5 * Batch * Hidden);
        Misuse.Refused<ArgumentOutOfRangeException>(() => network.Forward(ws, input, 0, Batch, output, final: new FinalState(states, cells)), "1..4", "Actual value was 0");
        Misuse.Refused<ArgumentOutOfRangeException>(() => network.Forward(ws, new float[5 * Batch * Input], 5, Batch, longOutput, final: new FinalState(states, cells)), "1..4", "Actual value was 5");
        Misuse.Refused<ArgumentOutOfRangeException>(() => network.Forward(ws, input, -1, Batch, output, final: new FinalState(states, cells)), "Actual value was -1");
        Misuse.Untouched(output, states, cells, longOutput);
    }

    [Fact]
    public void BatchesBeyondTheWorkspaceAreRefused()
    {
        SequenceWorkspace ws = Workspace;
        float[] wideOutput = Misuse.Sentinels(Steps * 4 * Hidden);
        float[] wideStates = Misuse.Sentinels(Layers * 4 * Hidden);
        Misuse.Refused<ArgumentOutOfRangeException>(() => network.Forward(ws, new float[Steps * 4 * Input], Steps, 4, wideOutput, final: new FinalState(wideStates)), "1..3", "Actual value was 4");
        Misuse.Refused<ArgumentOutOfRangeException>(() => network.Forward(ws, input, Steps, 0, output), "Actual value was 0");
        Misuse.Untouched(output, wideOutput, wideStates);
    }

    [Fact]
    public void WrongLengthsOfEveryTensorAreRefused()
    {
        SequenceWorkspace ws = Workspace;
        float[] longOutput = Misuse.Sentinels(output.Length + 1);
        float[] shortStates = Misuse.Sentinels(5);
        Misuse.Refused(() => network.Forward(ws, new float[input.Length - 1], Steps, Batch, output, final: new FinalState(states, cells)), "input [4, 3, 5] = 60 floats, got 59");
        Misuse.Refused(() => network.Forward(ws, input, Steps, Batch, longOutput, final: new FinalState(states, cells)), "output [4, 3, 6] = 72 floats, got 73");
        Misuse.Refused(() => network.Forward(ws, input, Steps, Batch, output, final: new FinalState(shortStates, cells)), "final hidden state [2, 3, 6] = 36 floats, got 5");
        Misuse.Refused(() => network.Forward(ws, input, Steps, Batch, output, final: new FinalState(states, shortStates)), "final cell state [2, 3, 6] = 36 floats, got 5");
        Misuse.Refused(() => network.Forward(ws, input, Steps, Batch, output, new InitialState(new float[37]), new FinalState(states, cells)), "initial hidden state [2, 3, 6] = 36 floats, got 37");
        Misuse.Refused(() => network.Forward(ws, input, Steps, Batch, output, new InitialState(default, new float[1]), new FinalState(states, cells)), "initial cell state [2, 3, 6] = 36 floats, got 1");
        Misuse.Untouched(output, states, cells, longOutput, shortStates);
    }

    [Fact]
    public void LengthsMustBeOnePerSequenceAndWithinOneToT()
    {
        SequenceWorkspace ws = Workspace;
        Misuse.Refused(() => network.Forward(ws, input, Steps, Batch, output, final: new FinalState(states, cells), lengths: new[] { 4, 4 }), "lengths [3], got 2");
        Misuse.Refused<ArgumentOutOfRangeException>(() => network.Forward(ws, input, Steps, Batch, output, final: new FinalState(states, cells), lengths: new[] { 4, 0, 2 }), "lengths[1] = 0", "1..4");
        Misuse.Refused<ArgumentOutOfRangeException>(() => network.Forward(ws, input, Steps, Batch, output, final: new FinalState(states, cells), lengths: new[] { 4, 5, 2 }), "lengths[1] = 5", "1..4");
        Misuse.Refused<ArgumentOutOfRangeException>(() => network.Forward(ws, input, Steps, Batch, output, final: new FinalState(states, cells), lengths: new[] { int.MinValue, 1, 1 }), "lengths[0] = -2147483648");
        Misuse.Untouched(output, states, cells);
    }

    [Fact]
    public void CellStatesForANetworkWithoutThemAreRefused()
    {
        SequenceWorkspace ws = gru.CreateWorkspace(Batch, Steps);
        float[] hidden = Misuse.Sentinels(Batch * Hidden), cell = Misuse.Sentinels(Batch * Hidden);
        Misuse.Refused(() => gru.Forward(ws, input, Steps, Batch, output, final: new FinalState(hidden, cell)), "Gru network has no cell state");
        Misuse.Untouched(output, hidden, cell);
    }

    [Fact]
    public void AWorkspaceOfAnotherNetworkOrNoneIsRefused()
    {
        Misuse.Refused(() => network.Forward(gru.CreateWorkspace(Batch, Steps), input, Steps, Batch, output, final: new FinalState(states, cells)), "another network");
        Misuse.Refused<ArgumentNullException>(() => network.Forward(null!, input, Steps, Batch, output, final: new FinalState(states, cells)), "workspace");
        Misuse.Refused<ArgumentOutOfRangeException>(() => network.CreateWorkspace(0, Steps), "maxBatch", "0");
        Misuse.Refused<ArgumentOutOfRangeException>(() => network.CreateWorkspace(Batch, 0), "maxSteps", "0");
        Misuse.Refused(() => network.CreateWorkspace(1 << 16, 1 << 16), "more than 2147483647 floats");
        Misuse.Untouched(output, states, cells);
    }

    [Fact]
    public void OutputsThatShareMemoryAreRefusedAndNamed()
    {
        SequenceWorkspace ws = Workspace;
        float[] shared = Misuse.Sentinels(output.Length + states.Length);
        Misuse.Refused(() => network.Forward(ws, input, Steps, Batch, shared.AsSpan(0, output.Length), final: new FinalState(shared.AsSpan(output.Length - 1, states.Length))), "output (72 floats) and final.Hidden (36 floats) overlap");
        Misuse.Refused(() => network.Forward(ws, input, Steps, Batch, output, final: new FinalState(states, states)), "final.Hidden", "final.Cell", "overlap");
        Misuse.Refused(() => network.Forward(ws, input, Steps, Batch, output, final: new FinalState(default, output.AsSpan(0, states.Length))), "output", "final.Cell", "overlap");
        Misuse.Refused(() => network.Forward(ws, input, Steps, Batch, output, new InitialState(output.AsSpan(1, states.Length))), "initial.Hidden", "output", "overlap");
        Misuse.Refused(() => network.Forward(ws, input, Steps, Batch, output, new InitialState(default, states), new FinalState(states)), "initial.Cell", "final.Hidden", "overlap");
        float[] twice = Misuse.Sentinels(states.Length + 1);
        Misuse.Refused(() => network.Forward(ws, input, Steps, Batch, output, new InitialState(twice.AsSpan(0, states.Length)), new FinalState(twice.AsSpan(1))), "initial.Hidden", "final.Hidden", "overlap");
        Misuse.Untouched(output, states, shared, twice);
    }

    [Fact]
    public void AnInitialStateMayBeItsOwnFinalStateAndTheInputMayBeTheOutput()
    {
        var d = new NetworkDescription(CellKind.Lstm, Hidden, Hidden) { NumLayers = Layers };
        RecurrentNetwork square = RecurrentNetwork.CreateRandom(d, 3);
        var random = new Random(4);
        float[] x = new float[Steps * Batch * Hidden], h = new float[states.Length], c = new float[states.Length];
        FillRandom(random, x);
        FillRandom(random, h);
        FillRandom(random, c);
        float[] expectedOutput = new float[x.Length], expectedH = new float[h.Length], expectedC = new float[c.Length];
        square.Forward(square.CreateWorkspace(Batch, Steps), x, Steps, Batch, expectedOutput, new InitialState(h, c), new FinalState(expectedH, expectedC));

        // In place: the input buffer receives the output, the initial states become the final ones.
        square.Forward(square.CreateWorkspace(Batch, Steps), x, Steps, Batch, x, new InitialState(h, c), new FinalState(h, c));
        Assert.Equal(expectedOutput, x);
        Assert.Equal(expectedH, h);
        Assert.Equal(expectedC, c);
    }

    // The reverse direction reads the input after the forward direction has written its half of the
    // output: over the same memory, the input must have been copied first.
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ABidirectionalLayerMayWriteItsOutputOverItsInput(int threads)
    {
        var d = new NetworkDescription(CellKind.Gru, 2 * Hidden, Hidden) { Bidirectional = true };
        RecurrentNetwork both = RecurrentNetwork.CreateRandom(d, 5);
        float[] x = new float[Steps * Batch * 2 * Hidden];
        FillRandom(new Random(6), x);
        float[] expected = new float[x.Length];
        both.Forward(both.CreateWorkspace(Batch, Steps, threads), x, Steps, Batch, expected);

        both.Forward(both.CreateWorkspace(Batch, Steps, threads), x, Steps, Batch, x);
        Assert.Equal(expected, x);
    }

    // The same for a final state written over the input: the forward direction's h_n (or an LSTM's
    // c_n) lands before the reverse direction reads the input.
    [Theory]
    [InlineData(CellKind.Gru, 1, false)]
    [InlineData(CellKind.Lstm, 1, false)]
    [InlineData(CellKind.Lstm, 2, false)]
    [InlineData(CellKind.Lstm, 1, true)]
    public void ABidirectionalLayerMayWriteItsFinalStateOverItsInput(CellKind kind, int layers, bool cellOverInput)
    {
        var d = new NetworkDescription(kind, Hidden, Hidden) { Bidirectional = true, NumLayers = layers };
        RecurrentNetwork both = RecurrentNetwork.CreateRandom(d, 7);
        int stateFloats = layers * 2 * Batch * Hidden;
        float[] x = new float[Steps * Batch * Hidden];
        FillRandom(new Random(8), x);
        bool lstm = kind == CellKind.Lstm;
        float[] expected = new float[Steps * Batch * 2 * Hidden], expectedH = new float[stateFloats], expectedC = new float[lstm ? stateFloats : 0];
        both.Forward(both.CreateWorkspace(Batch, Steps), x, Steps, Batch, expected, final: new FinalState(expectedH, expectedC));

        // One final state over the input's tail, the other apart: it outlives the input's use only if the input was copied first.
        float[] shared = new float[x.Length + stateFloats];
        x.CopyTo(shared, 0);
        Span<float> over = shared.AsSpan(x.Length - 1, stateFloats);
        float[] apart = new float[stateFloats];
        Span<float> h = cellOverInput ? apart : over;
        Span<float> c = !lstm ? default : cellOverInput ? over : new float[stateFloats];
        float[] actual = new float[expected.Length];
        both.Forward(both.CreateWorkspace(Batch, Steps), shared.AsSpan(0, x.Length), Steps, Batch, actual, final: new FinalState(h, c));
        Assert.Equal(expected, actual);
        Assert.Equal(expectedH, h.ToArray());
        Assert.Equal(expectedC, c.ToArray());
    }

    private static void FillRandom(Random random, float[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }
    }
}

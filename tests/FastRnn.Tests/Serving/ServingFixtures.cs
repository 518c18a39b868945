using System;
using System.Runtime.InteropServices;
using System.Threading;
using FastRnn.Networks;
using FastRnn.Serving;
using Xunit;

namespace FastRnn.Tests.Serving;

/// <summary>Networks, clocks and comparisons the batcher tests share.</summary>
internal static class ServingFixtures
{
    /// <summary>Every cell kind and variant, layers, projection and weight format a batcher must serve.</summary>
    public static readonly string[] NetworkNames =
    [
        "lstm", "lstm-projection-2-layers", "lstm-peephole", "gru", "gru-reset-before-2-layers",
        "rnn-tanh", "rnn-relu-2-layers", "lstm-bf16-2-layers", "gru-int8", "lstm-int8-projection",
        "lstm-large", "gru-int8-large",
    ];

    public static RecurrentNetwork Network(string name) => name switch
    {
        "lstm" => Create(new NetworkDescription(CellKind.Lstm, 5, 17), 1),
        "lstm-projection-2-layers" => Create(new NetworkDescription(CellKind.Lstm, 6, 11) { ProjectionSize = 4, NumLayers = 2 }, 2),
        "lstm-peephole" => Create(new NetworkDescription(CellKind.Lstm, 7, 9) { Variant = CellVariant.Peephole }, 3),
        "gru" => Create(new NetworkDescription(CellKind.Gru, 5, 18), 4),
        "gru-reset-before-2-layers" => Create(new NetworkDescription(CellKind.Gru, 4, 9) { Variant = CellVariant.ResetBefore, NumLayers = 2 }, 5),
        "rnn-tanh" => Create(new NetworkDescription(CellKind.RnnTanh, 3, 33), 6),
        "rnn-relu-2-layers" => Create(new NetworkDescription(CellKind.RnnRelu, 5, 8) { NumLayers = 2 }, 7),
        "lstm-bf16-2-layers" => Create(new NetworkDescription(CellKind.Lstm, 6, 10) { NumLayers = 2 }, 8).WithWeightFormat(WeightFormat.BFloat16),
        "gru-int8" => Create(new NetworkDescription(CellKind.Gru, 9, 12), 9).WithWeightFormat(WeightFormat.Int8),
        "lstm-int8-projection" => Create(new NetworkDescription(CellKind.Lstm, 6, 13) { ProjectionSize = 5, NumLayers = 2 }, 10).WithWeightFormat(WeightFormat.Int8),
        // Large enough that a batch of one stream is shared between threads by output rows.
        "lstm-large" => Create(new NetworkDescription(CellKind.Lstm, 24, 264), 11),
        "gru-int8-large" => Create(new NetworkDescription(CellKind.Gru, 24, 264) { NumLayers = 2 }, 12).WithWeightFormat(WeightFormat.Int8),
        _ => throw new ArgumentException($"No test network '{name}'.", nameof(name)),
    };

    public static RecurrentNetwork Create(NetworkDescription description, int seed) => RecurrentNetwork.CreateRandom(description, seed);

    public static float[] RandomFloats(Random random, int count, float scale = 1.5f)
    {
        float[] values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(((random.NextDouble() * 2) - 1) * scale);
        }

        return values;
    }

    /// <summary>Bit for bit (NaN payloads and the sign of zero included).</summary>
    public static void AssertBitIdentical(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        ReadOnlySpan<int> e = MemoryMarshal.Cast<float, int>(expected), a = MemoryMarshal.Cast<float, int>(actual);
        Assert.True(e.SequenceEqual(a), $"{what}: expected [{string.Join(", ", expected.ToArray())}], got [{string.Join(", ", actual.ToArray())}]");
    }

    public static int CellFloats(NetworkDescription d) => d.HasCellState ? d.NumLayers * d.HiddenSize : 0;
}

/// <summary>A clock that moves only when told to; timers run on real time (the system's).</summary>
internal sealed class ManualClock : TimeProvider
{
    private long ticks = 1_000_000;

    public override long TimestampFrequency => 1_000_000_000;

    public override long GetTimestamp() => Interlocked.Read(ref ticks);

    public void Advance(TimeSpan time) => Interlocked.Add(ref ticks, (long)(time.TotalSeconds * TimestampFrequency));
}

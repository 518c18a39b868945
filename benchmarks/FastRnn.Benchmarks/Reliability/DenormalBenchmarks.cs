using System;
using BenchmarkDotNet.Attributes;
using FastRnn.Networks;
using FastRnn.Sessions;

namespace FastRnn.Benchmarks.Reliability;

/// <summary>
/// Does a step slow down when inputs and states are subnormal? Streaming steps at batch 1, H = 256,
/// over sequences that start from normal or subnormal states with normal or subnormal inputs. With
/// zero biases every gate sits near its midpoint, so the cell state halves each step and a subnormal
/// sequence stays subnormal throughout (checked in setup); the normal one is the same network on
/// ordinary values.
/// </summary>
[MemoryDiagnoser]
public class DenormalBenchmarks
{
    private const int Hidden = 256;
    private const int StepsPerSequence = 32;

    private StreamingSession session = null!;
    private float[] inputs = null!;   // [StepsPerSequence, H]
    private float[] hidden = null!;   // [H] initial h
    private float[] cell = null!;     // [H] initial c (LSTM), else empty
    private float[] output = null!;

    /// <summary>The values the sequence runs on.</summary>
    public enum Values
    {
        /// <summary>Inputs and states of ordinary magnitude (about 0.01 to 1).</summary>
        Normal,

        /// <summary>Inputs and initial states all subnormal (below 1.2e-38), so every product and state is.</summary>
        Subnormal,
    }

    [Params(CellKind.Lstm, CellKind.Gru)]
    public CellKind Cell { get; set; }

    [Params(Values.Normal, Values.Subnormal)]
    public Values Regime { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var description = new NetworkDescription(Cell, Hidden, Hidden);
        RecurrentNetwork random = RecurrentNetwork.CreateRandom(description, 1);
        var parameters = new System.Collections.Generic.Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (string name in random.ParameterNames)
        {
            float[] values = random.GetParameter(name).ToArray();
            if (name.StartsWith("bias", StringComparison.Ordinal))
            {
                Array.Clear(values);
            }

            parameters[name] = values;
        }

        RecurrentNetwork network = RecurrentNetwork.Create(description, parameters);
        session = network.CreateSession();
        float scale = Regime == Values.Normal ? 1f : 1e-39f;
        var generator = new Random(2);
        inputs = Fill(generator, StepsPerSequence * Hidden, scale);
        hidden = Fill(generator, Hidden, scale);
        cell = description.HasCellState ? Fill(generator, Hidden, scale) : [];
        output = new float[Hidden];
        Sequence();
        if (Regime == Values.Subnormal && CountSubnormal(output) < Hidden / 2)
        {
            throw new InvalidOperationException($"Only {CountSubnormal(output)} of {Hidden} outputs are subnormal after the sequence: the scenario does not measure subnormals.");
        }
    }

    /// <summary>One sequence from the initial state; reported per step.</summary>
    [Benchmark(OperationsPerInvoke = StepsPerSequence)]
    public void Sequence()
    {
        session.SetState(hidden, cell, 1);
        for (int t = 0; t < StepsPerSequence; t++)
        {
            session.Step(inputs.AsSpan(t * Hidden, Hidden), 1, output);
        }
    }

    private static float[] Fill(Random random, int count, float scale)
    {
        float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)(((random.NextDouble() * 2) - 1) * scale);
        }

        return values;
    }

    private static int CountSubnormal(float[] values)
    {
        int count = 0;
        foreach (float v in values)
        {
            count += float.IsSubnormal(v) ? 1 : 0;
        }

        return count;
    }
}

using System;
using System.Collections.Generic;
using FastRnn.Diagnostics;
using FastRnn.Kernels;
using FastRnn.Networks;
using FastRnn.Sessions;

namespace FastRnn.Cli.Bench;

/// <summary>
/// The measurements of <c>fastrnn bench</c>: streaming steps (batch 1) of LSTM and GRU at H 64 and
/// 256, a batch-64 sequence at H 256, and the packed GEMV at an in-cache and an out-of-cache size.
/// </summary>
internal static class QuickBenchSuite
{
    private const int SequenceSteps = 32;
    private const int SequenceBatch = 64;

    public static List<QuickBenchRow> Run(Action<QuickBenchRow> progress)
    {
        var rows = new List<QuickBenchRow>();
        void Add(QuickBenchRow row)
        {
            rows.Add(row);
            progress(row);
        }

        foreach (CellKind cell in new[] { CellKind.Lstm, CellKind.Gru })
        {
            foreach (int hidden in new[] { 64, 256 })
            {
                Add(StreamingStep(cell, hidden));
            }
        }

        Add(Sequence(CellKind.Lstm, 256));
        Add(Sequence(CellKind.Gru, 256));
        Add(Gemv(4, 256, 256));
        Add(Gemv(4, 1024, 1024));
        return rows;
    }

    private static QuickBenchRow StreamingStep(CellKind cell, int hidden)
    {
        var d = new NetworkDescription(cell, hidden, hidden);
        using StreamingSession session = RecurrentNetwork.CreateRandom(d, 1).CreateSession();
        float[] input = Inputs(hidden);
        float[] output = new float[hidden];
        double seconds = QuickTimer.SecondsPerCall(() => session.Step(input, 1, output));
        return new QuickBenchRow($"streaming step {Name(cell)}", $"I=H={hidden}, batch 1", Isa.Active.ToString(), seconds * 1e6, 2.0 * d.GateCount * hidden * (2 * hidden));
    }

    private static QuickBenchRow Sequence(CellKind cell, int hidden)
    {
        var d = new NetworkDescription(cell, hidden, hidden);
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(d, 1);
        using var workspace = network.CreateWorkspace(SequenceBatch, SequenceSteps);
        float[] input = Inputs(SequenceSteps * SequenceBatch * hidden);
        float[] output = new float[SequenceSteps * SequenceBatch * hidden];
        double seconds = QuickTimer.SecondsPerCall(() => network.Forward(workspace, input, SequenceSteps, SequenceBatch, output));
        double flops = 2.0 * d.GateCount * hidden * (2 * hidden) * SequenceSteps * SequenceBatch;
        return new QuickBenchRow($"sequence {Name(cell)}", $"I=H={hidden}, T {SequenceSteps}, batch {SequenceBatch}", Isa.Active.ToString(), seconds * 1e6, flops);
    }

    private static QuickBenchRow Gemv(int gates, int units, int columns)
    {
        var w = new PackedGemvProbe(Inputs(gates * units * columns), gates, units, columns);
        float[] x = Inputs(columns);
        double seconds = QuickTimer.SecondsPerCall(() => w.MultiplyAdd(x));
        double megabytes = 4.0 * gates * units * columns / (1 << 20);
        return new QuickBenchRow("GEMV (packed)", $"{gates * units} x {columns} ({megabytes:F0} MiB of weights)", Isa.Active.ToString(), seconds * 1e6, 2.0 * gates * units * columns);
    }

    private static float[] Inputs(int count)
    {
        float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = ((i % 13) - 6) * 0.01f;
        }

        return values;
    }

    private static string Name(CellKind cell) => cell == CellKind.Lstm ? "LSTM" : "GRU";
}

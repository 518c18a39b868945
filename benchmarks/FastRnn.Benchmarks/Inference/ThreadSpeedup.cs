using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using FastRnn.Networks;
using FastRnn.Sessions;

namespace FastRnn.Benchmarks.Inference;

/// <summary>
/// How much faster one stream runs on N threads than on one, measured in one process with the two
/// calls interleaved: <c>thread-speedup [N] [SECONDS] [OUT.md]</c>.
/// </summary>
/// <remarks>
/// BenchmarkDotNet runs every case in its own process, minutes apart; on a shared VM whose speed
/// drifts by tens of percent within minutes (seen on the Intel Xeon of perf-results), the ratio of a
/// 2-thread case to its 1-thread case is then mostly drift. Here both run in one process, in turns of
/// about 20 ms (blocks of back-to-back calls, as a busy stream makes them: a worker that waited past its
/// spin went to sleep, and the first calls of a block pay for waking it), so drift touches both
/// alike and the ratio of their median call times stays. It measures only that ratio: the absolute
/// figures, and peers, are BenchmarkDotNet's (SequencePeerBenchmarks, StreamingPeerBenchmarks).
/// Cases: batch-1 whole sequences (T = 100) and session steps, I = H, LSTM, GRU and RNN tanh, H = 128,
/// 256 and 512: the one-stream rows of the peer suite.
/// </remarks>
internal static class ThreadSpeedup
{
    private const int Steps = 100;
    private static readonly CellKind[] Cells = [CellKind.Lstm, CellKind.Gru, CellKind.RnnTanh];
    private static readonly int[] Hiddens = [128, 256, 512];

    public static int Run(string[] args)
    {
        int threads = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2;
        double seconds = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        string? output = args.Length > 3 ? args[3] : null;
        if (threads < 2 || seconds <= 0)
        {
            Console.Error.WriteLine("usage: thread-speedup [THREADS >= 2] [SECONDS per case > 0] [OUT.md]");
            return 2;
        }

        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"| call | cell | H | 1 thread, median | {threads} threads, median | speedup (medians) | speedup (10th percentiles) |");
        table.AppendLine("|---|---|---:|---:|---:|---:|---:|");
        Console.Write(table);
        foreach (bool sequence in new[] { true, false })
        {
            foreach (CellKind cell in Cells)
            {
                foreach (int hidden in Hiddens)
                {
                    RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(cell, hidden, hidden), 1);
                    (Action one, Action many) = sequence ? Sequences(network, hidden, threads) : Sessions(network, hidden, threads);
                    (double[] a, double[] b) = Interleave(one, many, seconds);
                    string row = string.Create(
                        CultureInfo.InvariantCulture,
                        $"| {(sequence ? "sequence T = 100" : "session step")} | {cell} | {hidden} | {Format(Percentile(a, 0.5))} | {Format(Percentile(b, 0.5))} | {Percentile(a, 0.5) / Percentile(b, 0.5):0.00}× | {Percentile(a, 0.1) / Percentile(b, 0.1):0.00}× |");
                    Console.WriteLine(row);
                    table.AppendLine(row);
                }
            }
        }

        if (output is not null)
        {
            string text = $"One stream (batch 1), I = H, {threads} threads over 1, interleaved in one process ({seconds:0.#} s per case; "
                + $"`thread-speedup`, benchmarks/FastRnn.Benchmarks/Inference/ThreadSpeedup.cs). CPU: {FastRnn.Kernels.CpuDescription.FolderName}, "
                + $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.\n\n{table}";
            string temporary = output + ".tmp";
            File.WriteAllText(temporary, text);
            File.Move(temporary, output, overwrite: true);
            Console.WriteLine($"Wrote {output}");
        }

        return 0;
    }

    private static (Action One, Action Many) Sequences(RecurrentNetwork network, int hidden, int threads)
    {
        var input = new float[Steps * hidden];  // [T, 1, I]
        var output = new float[Steps * hidden]; // [T, 1, H]
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = ((i * 7 % 13) - 6) * 0.1f;
        }

        var one = network.CreateWorkspace(1, Steps, 1);
        var many = network.CreateWorkspace(1, Steps, threads);
        return (() => network.Forward(one, input, Steps, 1, output), () => network.Forward(many, input, Steps, 1, output));
    }

    private static (Action One, Action Many) Sessions(RecurrentNetwork network, int hidden, int threads)
    {
        var x = new float[hidden]; // [1, I]
        var y = new float[hidden]; // [1, H]
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = ((i % 13) - 6) * 0.1f;
        }

        StreamingSession one = network.CreateSession(1, 1);
        StreamingSession many = network.CreateSession(1, threads);
        return (() => one.Step(x, 1, y), () => many.Step(x, 1, y));
    }

    // Per-call times in µs of each, in turns of about 20 ms of back-to-back calls after a second of warm-up
    // (tiered compilation settles, the workers start).
    private static (double[] One, double[] Many) Interleave(Action one, Action many, double seconds)
    {
        var warm = Stopwatch.StartNew();
        int calls = 0;
        while (warm.Elapsed.TotalSeconds < 1)
        {
            one();
            many();
            calls++;
        }

        double perCall = warm.Elapsed.TotalMilliseconds / (2.0 * calls);
        int block = (int)Math.Clamp(20 / perCall, 1, 10000);
        var a = new System.Collections.Generic.List<double>();
        var b = new System.Collections.Generic.List<double>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            Block(one, block, a);
            Block(many, block, b);
        }

        return ([.. a], [.. b]);
    }

    private static void Block(Action call, int count, System.Collections.Generic.List<double> times)
    {
        for (int i = 0; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
    }

    private static double Percentile(double[] values, double p)
    {
        Array.Sort(values);
        return values[(int)(p * (values.Length - 1))];
    }

    private static string Format(double microseconds) =>
        microseconds >= 1000 ? string.Create(CultureInfo.InvariantCulture, $"{microseconds / 1000:0.00} ms") : string.Create(CultureInfo.InvariantCulture, $"{microseconds:0.0} µs");
}

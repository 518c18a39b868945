using System;
using System.Diagnostics;
using System.Globalization;
using FastRnn.Kernels;
using FastRnn.Networks;
using FastRnn.Sessions;

namespace FastRnn.Cli.Commands;

/// <summary>
/// The default command: builds a seeded LSTM on embedded defaults, runs a batch of sequences,
/// streams the same inputs step by step through a session, and shows they agree and how fast.
/// </summary>
internal static class DemoCommand
{
    public static int Run()
    {
        Console.WriteLine("FastRnn demo: a 2-layer LSTM (input 64, hidden 256), seeded weights, PyTorch semantics.");
        Console.WriteLine(CpuDescription.Summary());
        Console.WriteLine();

        var description = new NetworkDescription(CellKind.Lstm, 64, 256) { NumLayers = 2 };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, seed: 2026);
        const int steps = 100, batch = 4;
        var random = new Random(7);
        float[] input = new float[steps * batch * description.InputSize];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (float)Math.Sin(i * 0.01) + (float)((random.NextDouble() - 0.5) * 0.1);
        }

        float[] output = new float[steps * batch * description.OutputSize];
        float[] finalHidden = new float[description.NumLayers * batch * description.StateSize];
        var workspace = network.CreateWorkspace(batch, steps);
        network.Forward(workspace, input, steps, batch, output, finalHidden);
        var clock = Stopwatch.StartNew();
        const int repeats = 20;
        for (int r = 0; r < repeats; r++)
        {
            network.Forward(workspace, input, steps, batch, output, finalHidden);
        }

        double sequenceMs = clock.Elapsed.TotalMilliseconds / repeats;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Sequence forward, T = {steps}, batch {batch}: {sequenceMs:F2} ms per call ({sequenceMs * 1000 / steps:F1} µs per step for the batch)."));

        StreamingSession session = network.CreateSession(batch);
        float[] step = new float[batch * description.StateSize];
        double maxDifference = 0;
        clock.Restart();
        for (int t = 0; t < steps; t++)
        {
            session.Step(input.AsSpan(t * batch * description.InputSize, batch * description.InputSize), batch, step);
            for (int i = 0; i < step.Length; i++)
            {
                maxDifference = Math.Max(maxDifference, Math.Abs(step[i] - output[(t * batch * description.OutputSize) + i]));
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Streaming the same {steps} steps through a session: max |session - sequence| = {maxDifference:G3}."));

        StreamingSession single = network.CreateSession();
        float[] x = new float[description.InputSize];
        float[] y = new float[description.StateSize];
        for (int t = 0; t < 200; t++)
        {
            single.Step(x, 1, y);
        }

        const int timedSteps = 2000;
        clock.Restart();
        for (int t = 0; t < timedSteps; t++)
        {
            x[t % x.Length] = (float)Math.Cos(t * 0.1);
            single.Step(x, 1, y);
        }

        double perStep = clock.Elapsed.TotalMilliseconds * 1000 / timedSteps;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Batch-1 streaming step (both layers): {perStep:F1} µs (wall clock, single run; benchmarks/ has the measured figures)."));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Final h of stream 0, first 4 units: {y[0]:F5} {y[1]:F5} {y[2]:F5} {y[3]:F5}"));
        return maxDifference == 0 ? 0 : 1;
    }
}

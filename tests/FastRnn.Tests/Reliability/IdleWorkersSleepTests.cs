using System;
using System.Globalization;
using System.IO;
using System.Threading;
using FastRnn.Layers;
using FastRnn.Networks;
using FastRnn.Sessions;
using FastRnn.Tests.Networks;
using Xunit;

namespace FastRnn.Tests.Reliability;

/// <summary>
/// A session or workspace with threads that has stopped being called burns no core: its workers
/// poll for about 100 µs after a call, then sleep (README, "Threads"), with as many threads as cores
/// (the workers poll) and with more (they do not). Measured from the CPU time Linux counts for each
/// worker thread ("FastRnn part N" in /proc/self/task), in the collection that runs alone, so no
/// other test's call is running meanwhile.
/// </summary>
[Collection(AllocationMeasurements.Name)]
public sealed class IdleWorkersSleepTests
{
    private const int IdleMilliseconds = 300;
    private const long MaxIdleTicks = 3; // clock ticks (1/100 s on Linux): workers that kept polling counted 8-9 here on 2 shared cores

    public static TheoryData<int> ThreadCounts() => [2, Environment.ProcessorCount + 1];

    [Theory]
    [MemberData(nameof(ThreadCounts))]
    public void AnIdleSessionsWorkersUseNoCpu(int threads)
    {
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, 256, 256), 1);
        using StreamingSession session = network.CreateSession(threads: threads);
        float[] x = SharedStepTests.Inputs(256, 1), y = new float[256];
        for (int i = 0; i < 200; i++)
        {
            session.Step(x, 1, y);
        }

        Assert.True(session.Workers!.HasStartedWorkers, "the steps were not split: nothing measured");
        AssertWorkersIdle();
    }

    [Theory]
    [MemberData(nameof(ThreadCounts))]
    public void AnIdleWorkspacesWorkersUseNoCpu(int threads)
    {
        const int Steps = 20;
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Gru, 64, 256), 1);
        using SequenceWorkspace workspace = network.CreateWorkspace(1, Steps, threads);
        float[] x = SharedStepTests.Inputs(Steps * 64, 2), y = new float[Steps * 256];
        for (int i = 0; i < 20; i++)
        {
            network.Forward(workspace, x, Steps, 1, y);
        }

        Assert.True(workspace.Runner.Region.HasStartedWorkers, "the steps were not split: nothing measured");
        AssertWorkersIdle();
    }

    private static void AssertWorkersIdle()
    {
        Thread.Sleep(20); // past the workers' 100 µs of polling
        (int workers, long before) = WorkerTicks();
        Assert.SkipWhen(workers == 0, "this system does not show the worker threads' names in /proc/self/task");
        Thread.Sleep(IdleMilliseconds);
        (_, long after) = WorkerTicks();
        Assert.True(after - before <= MaxIdleTicks, $"idle for {IdleMilliseconds} ms, the {workers} worker threads used {after - before} clock ticks of CPU (at most {MaxIdleTicks} expected)");
    }

    // Worker threads alive and the user + system clock ticks they have used.
    private static (int Workers, long Ticks) WorkerTicks()
    {
        int workers = 0;
        long ticks = 0;
        if (!Directory.Exists("/proc/self/task"))
        {
            return (0, 0);
        }

        foreach (string task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith("FastRnn part", StringComparison.Ordinal))
                {
                    continue;
                }

                string stat = File.ReadAllText(Path.Combine(task, "stat"));
                string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // fields from the 3rd (state): utime is the 14th, stime the 15th
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                workers++;
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }

        return (workers, ticks);
    }
}

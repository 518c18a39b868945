using System;
using System.Threading;

namespace FastRnn.EmulationRepro;

/// <summary>
/// A program without FastRnn that shows the fault of qemu-user 7.2 behind the crashes seen when
/// FastRnn ran under emulation (see README.md beside this file): the main thread stays in a loop
/// that neither calls nor allocates, so the runtime can stop it for a collection only by sending
/// it a signal (SIGRTMIN, "activation injection") and resuming it from the signal's context; a
/// second thread asks for a collection every millisecond, so that happens thousands of times.
/// Natively, and under qemu 10, it prints the sum and exits 0; under qemu-x86_64 7.2 it dies.
/// </summary>
internal static class Program
{
    private static volatile bool done;

    private static int Main(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 40;
        var collector = new Thread(() =>
        {
            while (!done)
            {
                GC.Collect();
                Thread.Sleep(1);
            }
        });
        collector.Start();

        bool references = args.Length > 1 && args[1] == "refs";
        double total = 0;
        for (int round = 0; round < rounds; round++)
        {
            total += references ? ArrayLoop(round) : CallFreeLoop(20_000_000);
        }

        done = true;
        collector.Join();
        Console.WriteLine(FormattableString.Invariant($"sum {total:R}, {GC.CollectionCount(0)} collections: PASS"));
        return 0;
    }

    // The same kind of loop over a young array that a collection moves: the array's address lives
    // in a register, which the collector updates in the interrupted thread's saved context.
    private static double ArrayLoop(int round)
    {
        var garbage = new object[1000];
        for (int i = 0; i < garbage.Length; i++)
        {
            garbage[i] = new byte[100];
        }

        int[] values = new int[4096];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = i + round;
        }

        garbage = null!;
        long sum = 0;
        for (int pass = 0; pass < 5000; pass++)
        {
            for (int i = 0; i < values.Length; i++)
            {
                sum += values[i];
            }
        }

        long expected = 5000L * ((4095L * 4096 / 2) + (4096L * round));
        if (sum != expected || values.Length != 4096)
        {
            throw new InvalidOperationException(FormattableString.Invariant($"round {round}: sum {sum}, expected {expected}"));
        }

        return sum;
    }

    // No calls and no allocations inside: a thread here can only be suspended by a signal.
    private static double CallFreeLoop(int n)
    {
        double x = 0.5, sum = 0;
        for (int i = 0; i < n; i++)
        {
            x = (x * 1.0000001) + 1e-9;
            sum += x;
        }

        return sum;
    }
}

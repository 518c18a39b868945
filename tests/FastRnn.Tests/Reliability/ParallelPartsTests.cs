using System;
using System.Runtime.CompilerServices;
using System.Threading;
using FastRnn.Memory;
using Xunit;

namespace FastRnn.Tests.Reliability;

/// <summary>
/// The worker threads behind every multi-threaded call: each part runs once per run, barriers
/// hold every part, a failing part fails the call instead of leaving the others waiting forever,
/// workers that went to sleep wake for the next run, and a dropped owner is collected with its workers.
/// </summary>
public sealed class ParallelPartsTests
{
    [Fact]
    public void EveryPartRunsOncePerRunAndBarriersSeparateThePhases()
    {
        var parts = new ParallelParts(3);
        int[] first = new int[3], second = new int[3];
        bool sawUnfinishedFirstPhase = false;
        void Body(int part)
        {
            Interlocked.Increment(ref first[part]);
            parts.Barrier();
            for (int i = 0; i < 3; i++)
            {
                sawUnfinishedFirstPhase |= Volatile.Read(ref first[i]) != Volatile.Read(ref second[part]) + 1;
            }

            Interlocked.Increment(ref second[part]);
            parts.Barrier();
        }

        for (int run = 0; run < 500; run++)
        {
            parts.Run(Body, 3);
        }

        Assert.Equal([500, 500, 500], first);
        Assert.Equal([500, 500, 500], second);
        Assert.False(sawUnfinishedFirstPhase, "a part passed a barrier before every part reached it");
    }

    [Fact]
    public void APartThatFailsBeforeABarrierFailsTheCallInsteadOfHangingIt()
    {
        var parts = new ParallelParts(2);
        void Body(int part)
        {
            if (part == 1)
            {
                throw new InvalidOperationException("part 1 failed");
            }

            parts.Barrier(); // part 1 never arrives
        }

        AggregateException e = Assert.Throws<AggregateException>(() => parts.Run(Body, 2));
        Assert.Equal("part 1 failed", e.InnerException!.Message);

        // The same parts still work afterwards.
        int ran = 0;
        parts.Run(_ => Interlocked.Increment(ref ran), 2);
        Assert.Equal(2, ran);
    }

    [Fact]
    public void TheCallersFailureWaitsForTheWorkersAndIsRethrownAsItself()
    {
        var parts = new ParallelParts(2);
        int workerDone = 0;
        void Body(int part)
        {
            if (part == 0)
            {
                throw new ArgumentException("caller's part failed");
            }

            Thread.Sleep(20);
            Volatile.Write(ref workerDone, 1);
        }

        Assert.Equal("caller's part failed", Assert.Throws<ArgumentException>(() => parts.Run(Body, 2)).Message);
        Assert.Equal(1, Volatile.Read(ref workerDone)); // returned only once the worker let go
    }

    [Fact]
    public void WorkersThatWentToSleepWakeForTheNextRun()
    {
        var parts = new ParallelParts(2);
        int ran = 0;
        for (int i = 0; i < 5; i++)
        {
            parts.Run(_ => Interlocked.Increment(ref ran), 2);
            Thread.Sleep(2 + (ParallelParts.SpinMicroseconds / 1000)); // longer than a worker spins
        }

        Assert.Equal(10, ran);
    }

    [Fact]
    public void ADroppedOwnerIsCollectedOnceItsWorkersWait()
    {
        // The body refers back to the parts, as a session's step runner does: a worker holding the body
        // while it waits would keep the parts (whose finalizer stops the workers) and its own thread alive.
        WeakReference parts = RunOnceAndDrop();
        for (int i = 0; i < 50 && parts.IsAlive; i++)
        {
            Thread.Sleep(1 + (ParallelParts.SpinMicroseconds / 1000)); // the worker is past its spin and waiting
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(parts.IsAlive, "the parts were still reachable after the run: their workers never end");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference RunOnceAndDrop()
    {
        var owner = new PartsOwner();
        owner.Parts.Run(owner.Body, 2);
        return new WeakReference(owner.Parts);
    }

    private sealed class PartsOwner
    {
        public PartsOwner()
        {
            Parts = new ParallelParts(2);
            Body = Part;
        }

        public ParallelParts Parts { get; }

        public Action<int> Body { get; }

        private void Part(int index) => Thread.SpinWait(10 + index);
    }
}

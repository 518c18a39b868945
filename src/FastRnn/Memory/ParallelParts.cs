using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace FastRnn.Memory;

/// <summary>
/// Runs one body as <see cref="Count"/> parts at once: part 0 on the calling thread, the others on
/// worker threads of this instance, and returns when all are done. Nothing is allocated per run:
/// the body delegates are made once by the owner, the workers once on the first run.
/// </summary>
/// <remarks>
/// Built for many short runs back to back (one per time step: a split product of a few
/// microseconds): a worker that finished a part spins for <see cref="SpinMicroseconds"/> waiting
/// for the next one, so a run starts without an OS wake-up, then blocks, so an idle owner burns no
/// core. The caller waiting for the parts and a part waiting at a <see cref="Barrier"/> poll the
/// same way (<see cref="ShortWait"/>), then back off without sleeping. Workers spin only when the
/// parts fit the machine's cores; with more parts than cores a spinning worker would take the core
/// another part needs. The workers are dedicated threads, not thread-pool work items: a busy pool
/// (a service under load) would delay every step of every call. The workers end at <see cref="Stop"/>
/// (the owner's Dispose) or, for an owner never disposed, when it is collected (its finalizer stops them).
/// </remarks>
internal sealed class ParallelParts
{
    /// <summary>How long an idle worker spins before it blocks: several steps of a large layer, a small share of a 10 ms audio hop.</summary>
    public const int SpinMicroseconds = 100;

    private readonly Crew crew;

    public ParallelParts(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 64);
        Count = count;
        crew = new Crew(count);
    }

    ~ParallelParts() => crew.Stop();

    /// <summary>
    /// Ends the worker threads once they have finished any part already handed to them; later runs
    /// of more than one part are refused. Idempotent. The owner must not start a run while this runs.
    /// </summary>
    public void Stop() => crew.Stop();

    /// <summary>Number of parts (threads).</summary>
    public int Count { get; }

    /// <summary>Whether a run of more than one part has started the workers.</summary>
    public bool HasStartedWorkers => crew.HasStartedWorkers;

    /// <summary>Waits until every started worker thread has ended (tests: after <see cref="Stop"/>).</summary>
    /// <param name="timeout">How long to wait for each.</param>
    /// <returns>Whether all have ended.</returns>
    internal bool WaitForWorkersToEnd(TimeSpan timeout) => crew.Join(timeout);

    /// <summary>Runs <paramref name="work"/>(0) .. <paramref name="work"/>(count - 1) concurrently.</summary>
    /// <param name="work">The body; must be safe to run for different parts at once.</param>
    /// <param name="count">Parts to run, 1..Count.</param>
    /// <remarks>
    /// The first part to fail fails the call, once every part has returned (the parts waiting at a
    /// <see cref="Barrier"/> for it give up): the caller's own part's exception is rethrown as itself,
    /// a worker's is the inner exception of an <see cref="AggregateException"/>.
    /// </remarks>
    public void Run(Action<int> work, int count)
    {
        if (count <= 1)
        {
            work(0);
            return;
        }

        crew.Run(work, Math.Min(count, Count));
    }

    /// <summary>
    /// Waits until every part of the running call has reached this point (a spinning barrier, for
    /// the phases of one time step). Only for the parts of a run of more than one part; a part must
    /// not skip it, or the others wait for it until the run fails.
    /// </summary>
    public void Barrier() => crew.Barrier();

    /// <summary>Part <paramref name="part"/> of <paramref name="count"/> equal contiguous shares of [0, <paramref name="total"/>).</summary>
    /// <param name="total">Items to share.</param>
    /// <param name="count">Shares.</param>
    /// <param name="part">Which share, 0..count - 1.</param>
    /// <returns>The share's first item and the end of its range.</returns>
    public static (int First, int End) Share(int total, int count, int part) =>
        ((int)((long)total * part / count), (int)((long)total * (part + 1) / count));

    // What the workers share with the caller. The worker threads hold this, never the owner, so the
    // owner can be collected while they wait.
    private sealed class Crew
    {
        private readonly Thread?[] workers; // [count] index 0 unused: part 0 runs on the caller
        private readonly object gate = new();
        private readonly long spinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;
        private readonly bool spin;
        private Action<int>? body;
        private int parts;
        private int generation;   // bumped by each run; a worker runs its part once per bump
        private int remaining;    // workers' parts not yet finished in the current run
        private int sleeping;     // workers blocked on the gate
        private int arrived;      // parts at the current barrier
        private int phase;        // bumped by the last part to reach a barrier
        private bool broken;      // a part failed: nobody waits at a barrier for it
        private bool stopped;
        private Exception? failure;

        public Crew(int count)
        {
            workers = new Thread?[count];
            spin = count <= Environment.ProcessorCount;
        }

        public void Run(Action<int> work, int count)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref stopped), typeof(ParallelParts));
            StartWorkers();
            body = work;
            parts = count;
            failure = null;
            arrived = 0;
            broken = false;
            Volatile.Write(ref remaining, workers.Length - 1); // every worker sees every run; those past `count` only go back to waiting

            // Full fences on both sides (here and in Wait): either the worker sees the new generation
            // before it blocks, or this thread sees it sleeping and wakes it.
            Interlocked.Increment(ref generation);
            if (Volatile.Read(ref sleeping) > 0)
            {
                lock (gate)
                {
                    Monitor.PulseAll(gate);
                }
            }

            Exception? own = null;
            try
            {
                work(0);
            }
#pragma warning disable CA1031 // rethrown below, once the workers have let go of the caller's buffers
            catch (Exception e)
#pragma warning restore CA1031
            {
                own = e;
                Volatile.Write(ref broken, true);
            }

            var wait = new ShortWait(spin, spinTicks);
            while (Volatile.Read(ref remaining) > 0)
            {
                wait.Pause();
            }

            body = null;
            if (failure is not null)
            {
                throw new AggregateException("A parallel part of the call failed.", failure);
            }

            if (own is not null)
            {
                ExceptionDispatchInfo.Throw(own);
            }
        }

        public void Barrier()
        {
            int current = Volatile.Read(ref phase);
            if (Interlocked.Increment(ref arrived) == parts)
            {
                arrived = 0; // published by the release below, before anyone can pass and arrive at the next barrier
                Volatile.Write(ref phase, current + 1);
                return;
            }

            var wait = new ShortWait(spin, spinTicks);
            while (Volatile.Read(ref phase) == current)
            {
                if (Volatile.Read(ref broken))
                {
                    throw new OperationCanceledException("Another part of the call failed.");
                }

                wait.Pause();
            }
        }

        public void Stop()
        {
            lock (gate)
            {
                stopped = true;
                Monitor.PulseAll(gate);
            }
        }

        public bool HasStartedWorkers => Volatile.Read(ref workers[^1]) is not null;

        public bool Join(TimeSpan timeout)
        {
            foreach (Thread? worker in workers)
            {
                if (worker is not null && !worker.Join(timeout))
                {
                    return false;
                }
            }

            return true;
        }

        private void StartWorkers()
        {
            if (workers[1] is not null)
            {
                return;
            }

            for (int i = 1; i < workers.Length; i++)
            {
                int index = i;
                var thread = new Thread(() => Work(index)) { IsBackground = true, Name = $"FastRnn part {i}" };
                workers[i] = thread;
                thread.Start();
            }
        }

        private void Work(int index)
        {
            int seen = 0;
            while (Next(ref seen))
            {
                try
                {
                    if (index < parts)
                    {
                        RunPart(index);
                    }
                }
                catch (Exception e)
                {
                    // Only a failure of an unbroken run is its cause: a part that gave up at a barrier
                    // because another failed (the caller's own part, say) must not hide that failure.
                    if (!Volatile.Read(ref broken))
                    {
                        Interlocked.CompareExchange(ref failure, e, null);
                    }

                    Volatile.Write(ref broken, true);
                }
                finally
                {
                    Interlocked.Decrement(ref remaining);
                }
            }
        }

        // Apart from Work, so no reference to the body outlives the part in Work's frame while the worker
        // waits for the next run: the body holds the owner, whose finalizer is what stops the workers, and
        // a worker that kept it reachable kept its own thread alive for good (one per dropped session).
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void RunPart(int index) => body!(index);

        // Waits for a generation after `seen`: spinning first, then blocked. False once stopped.
        private bool Next(ref int seen)
        {
            // Polls often, so a step starts within a fraction of its own time (polling every
            // SpinWait(20) made the hand-off and join of a split step cost 0.75 µs on a Zen 4, 0.1 µs
            // with ShortWait's polls: SplitReadBenchmarks, 64 KiB).
            var wait = new ShortWait(spin, spinTicks);
            while (wait.Polling)
            {
                if (Volatile.Read(ref generation) != seen)
                {
                    seen = Volatile.Read(ref generation);
                    return true;
                }

                wait.Pause();
            }

            lock (gate)
            {
                Interlocked.Increment(ref sleeping);
                while (Volatile.Read(ref generation) == seen && !stopped)
                {
                    Monitor.Wait(gate);
                }

                Interlocked.Decrement(ref sleeping);

                // A run handed out before the stop is still run: its caller waits for every part.
                int now = Volatile.Read(ref generation);
                if (now != seen)
                {
                    seen = now;
                    return true;
                }

                return false;
            }
        }
    }
}

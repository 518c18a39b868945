using System;
using System.Threading;

namespace FastRnn.Memory;

/// <summary>
/// Runs one body as <see cref="Count"/> parts at once: part 0 on the calling thread, the others as
/// reusable thread-pool work items, and returns when all are done. Nothing is allocated per run:
/// the work items and the body delegates are made once by the owner.
/// </summary>
internal sealed class ParallelParts
{
    private readonly Part[] parts;
    private readonly object gate = new();
    private int remaining;
    private Action<int>? body;
    private Exception? failure;

    public ParallelParts(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 64);
        Count = count;
        parts = new Part[count];
        for (int i = 1; i < count; i++)
        {
            parts[i] = new Part(this, i);
        }
    }

    /// <summary>Number of parts (threads).</summary>
    public int Count { get; }

    /// <summary>Runs <paramref name="work"/>(0) .. <paramref name="work"/>(count - 1) concurrently.</summary>
    /// <param name="work">The body; must be safe to run for different parts at once.</param>
    /// <param name="count">Parts to run, 1..Count.</param>
    public void Run(Action<int> work, int count)
    {
        if (count <= 1)
        {
            work(0);
            return;
        }

        body = work;
        failure = null;
        remaining = count - 1;
        for (int i = 1; i < count; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(parts[i], preferLocal: false);
        }

        try
        {
            work(0);
        }
        finally
        {
            lock (gate)
            {
                while (remaining > 0)
                {
                    Monitor.Wait(gate);
                }
            }

            body = null;
        }

        if (failure is not null)
        {
            throw new AggregateException("A parallel part of the call failed.", failure);
        }
    }

    /// <summary>Part <paramref name="part"/> of <paramref name="count"/> equal contiguous shares of [0, <paramref name="total"/>).</summary>
    /// <param name="total">Items to share.</param>
    /// <param name="count">Shares.</param>
    /// <param name="part">Which share, 0..count - 1.</param>
    /// <returns>The share's first item and the end of its range.</returns>
    public static (int First, int End) Share(int total, int count, int part) =>
        ((int)((long)total * part / count), (int)((long)total * (part + 1) / count));

    private sealed class Part(ParallelParts owner, int index) : IThreadPoolWorkItem
    {
        public void Execute()
        {
            try
            {
                owner.body!(index);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref owner.failure, e, null);
            }
            finally
            {
                lock (owner.gate)
                {
                    if (--owner.remaining == 0)
                    {
                        Monitor.PulseAll(owner.gate);
                    }
                }
            }
        }
    }
}

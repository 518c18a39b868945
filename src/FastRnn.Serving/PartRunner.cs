using System;
using System.Threading;

namespace FastRnn.Serving;

/// <summary>
/// Runs one body as up to <see cref="Count"/> parts at once: part 0 on the calling thread, the
/// others as thread-pool work items made once here, so a run allocates nothing. One run at a time
/// (the batcher's lock serializes them). The core's runner of the same pattern is internal to it,
/// and this add-on uses the core's public API only.
/// </summary>
internal sealed class PartRunner
{
    private readonly Action<int> body;
    private readonly Part[] parts;
    private readonly object gate = new();
    private int remaining;
    private Exception? failure;

    public PartRunner(int count, Action<int> body)
    {
        Count = count;
        this.body = body;
        parts = new Part[count];
        for (int i = 1; i < count; i++)
        {
            parts[i] = new Part(this, i);
        }
    }

    public int Count { get; }

    /// <summary>Runs body(0) .. body(count - 1) concurrently and returns when all are done.</summary>
    public void Run(int count)
    {
        if (count <= 1)
        {
            body(0);
            return;
        }

        failure = null;
        remaining = count - 1;
        for (int i = 1; i < count; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(parts[i], preferLocal: false);
        }

        try
        {
            body(0);
        }
        finally
        {
            // The other parts read buffers the caller owns: never return before they are done.
            lock (gate)
            {
                while (remaining > 0)
                {
                    Monitor.Wait(gate);
                }
            }
        }

        if (failure is not null)
        {
            throw new InvalidOperationException("A part of the batched step failed on a worker thread.", failure);
        }
    }

    private sealed class Part(PartRunner owner, int index) : IThreadPoolWorkItem
    {
        public void Execute()
        {
            try
            {
                owner.body(index);
            }
#pragma warning disable CA1031 // A worker's failure is handed to the caller, which rethrows it.
            catch (Exception e)
#pragma warning restore CA1031
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

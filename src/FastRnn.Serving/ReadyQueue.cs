using System.Collections.Generic;

namespace FastRnn.Serving;

/// <summary>
/// The waiting steps: per stream a queue in arrival order, and a heap of the streams keyed by the
/// arrival number of their oldest waiting step, so a batch takes the oldest ready steps of distinct
/// streams in O(B log S). A stream leaves the heap while its step is in a batch and comes back
/// (<see cref="Requeue"/>) after, so it never has two steps in one batch. Heap entries made stale by
/// a removal are fixed when they reach the top. Guarded by the batcher's lock; allocates nothing
/// (the heap holds each slot at most once, within its initial capacity).
/// </summary>
internal sealed class ReadyQueue
{
    private readonly StepRequest?[] head;           // [S] oldest waiting step of each stream
    private readonly StepRequest?[] tail;           // [S] newest
    private readonly int[] pending;                 // [S] waiting steps of each stream
    private readonly bool[] inHeap;                 // [S]
    private readonly PriorityQueue<int, long> heap; // slots by the arrival number of their head (possibly stale)
    private long nextArrival;

    public ReadyQueue(int slots)
    {
        head = new StepRequest?[slots];
        tail = new StepRequest?[slots];
        pending = new int[slots];
        inHeap = new bool[slots];
        heap = new PriorityQueue<int, long>(slots);
    }

    /// <summary>Streams with a waiting step (an upper bound: stale entries count until cleaned).</summary>
    public int ReadyStreams => heap.Count;

    /// <summary>
    /// Unlinks the waiting steps of a stream that their tokens cancelled (their callers have seen the
    /// cancellation; the steps were never applied) and lets go of them; returns the steps still waiting.
    /// </summary>
    public int DropCanceled(int slot)
    {
        StepRequest? previous = null;
        for (StepRequest? request = head[slot]; request is not null;)
        {
            StepRequest? next = request.QueueNext;
            if (request.IsCanceled)
            {
                if (previous is null)
                {
                    head[slot] = next;
                }
                else
                {
                    previous.QueueNext = next;
                }

                if (ReferenceEquals(tail[slot], request))
                {
                    tail[slot] = previous;
                }

                request.QueueNext = null;
                pending[slot]--;
                request.Discard();
            }
            else
            {
                previous = request;
            }

            request = next;
        }

        return pending[slot];
    }

    public void Add(StepRequest request)
    {
        int slot = request.Slot;
        request.Arrival = nextArrival++;
        request.QueueNext = null;
        if (tail[slot] is StepRequest last)
        {
            last.QueueNext = request;
        }
        else
        {
            head[slot] = request;
        }

        tail[slot] = request;
        pending[slot]++;
        if (!inHeap[slot])
        {
            heap.Enqueue(slot, request.Arrival);
            inHeap[slot] = true;
        }
    }

    /// <summary>The oldest waiting step of any stream, left in place; null if none.</summary>
    public StepRequest? PeekOldest() => CleanTop() ? head[heap.Peek()] : null;

    /// <summary>Removes and returns the oldest waiting step; its stream stays out of the heap until <see cref="Requeue"/>.</summary>
    public StepRequest? TakeOldest()
    {
        if (!CleanTop())
        {
            return null;
        }

        int slot = heap.Dequeue();
        inHeap[slot] = false;
        StepRequest request = head[slot]!;
        head[slot] = request.QueueNext;
        if (request.QueueNext is null)
        {
            tail[slot] = null;
        }

        request.QueueNext = null;
        pending[slot]--;
        return request;
    }

    /// <summary>Puts a stream whose head was taken back into the heap if it has more waiting steps.</summary>
    public void Requeue(int slot)
    {
        if (!inHeap[slot] && head[slot] is StepRequest next)
        {
            heap.Enqueue(slot, next.Arrival);
            inHeap[slot] = true;
        }
    }

    /// <summary>Removes every waiting step of a stream; returns them oldest first, linked by QueueNext.</summary>
    public StepRequest? RemoveAll(int slot)
    {
        StepRequest? first = head[slot];
        head[slot] = null;
        tail[slot] = null;
        pending[slot] = 0;
        return first;
    }

    // Drops or re-keys heap entries whose stream lost its head since they were made; true when the
    // top is then a stream whose head has exactly the top's key.
    private bool CleanTop()
    {
        while (heap.TryPeek(out int slot, out long key))
        {
            StepRequest? first = head[slot];
            if (first is null)
            {
                heap.Dequeue();
                inHeap[slot] = false;
            }
            else if (first.Arrival != key)
            {
                heap.DequeueEnqueue(slot, first.Arrival);
            }
            else
            {
                return true;
            }
        }

        return false;
    }
}

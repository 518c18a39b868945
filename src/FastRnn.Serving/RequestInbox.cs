using System.Threading;

namespace FastRnn.Serving;

/// <summary>
/// Where <see cref="StreamBatcher.StepAsync"/> leaves its requests without taking the batcher's
/// lock (which a running batch holds): a lock-free stack that the lock's holder empties at once, so
/// there is no single-item pop and no ABA problem.
/// </summary>
internal sealed class RequestInbox
{
    private StepRequest? head; // newest first, linked by InboxNext

    /// <summary>Adds a request; true when the inbox was empty (the loop may need waking).</summary>
    public bool Push(StepRequest request)
    {
        StepRequest? seen;
        do
        {
            seen = Volatile.Read(ref head);
            request.InboxNext = seen;
        }
        while (Interlocked.CompareExchange(ref head, request, seen) != seen);

        return seen is null;
    }

    /// <summary>Takes every request, oldest first (linked by InboxNext), or null.</summary>
    public StepRequest? TakeAll()
    {
        if (Volatile.Read(ref head) is null)
        {
            return null;
        }

        StepRequest? newestFirst = Interlocked.Exchange(ref head, null), oldestFirst = null;
        while (newestFirst is not null)
        {
            StepRequest? next = newestFirst.InboxNext;
            newestFirst.InboxNext = oldestFirst;
            oldestFirst = newestFirst;
            newestFirst = next;
        }

        return oldestFirst;
    }
}

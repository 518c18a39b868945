using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;

namespace FastRnn.Serving;

/// <summary>
/// One <see cref="StreamBatcher.StepAsync"/> call: its frame, where its output goes, and the
/// awaitable the caller holds. Pooled: a request goes back to its pool when both the batcher (done
/// stepping, failing or discarding it) and the awaiter (done reading the result) let go, so a warm
/// call allocates nothing. Its continuation always runs on the thread pool, never inline on the
/// batching loop, so callers' code cannot stall the batches.
/// </summary>
internal sealed class StepRequest : IValueTaskSource
{
    private const int Queued = 0, Taken = 1, Canceled = 2;

    // Static and stateless: registering a callback allocates no closure.
    private static readonly Action<object?> CancelCallback = static state => ((StepRequest)state!).OnCanceled();

    private readonly ConcurrentQueue<StepRequest> pool;
    private ManualResetValueTaskSourceCore<bool> core;
    private CancellationTokenRegistration registration;
    private CancellationToken token;
    private WakeSignal? wake;
    private int state;    // Queued, then Taken by the batcher or Canceled by the token, whichever is first
    private int holders;  // 2 while both the batcher and the awaiter hold the request
    private int awaited;  // 1 once the awaiter has read the result

    public StepRequest(ConcurrentQueue<StepRequest> pool)
    {
        this.pool = pool;
        core.RunContinuationsAsynchronously = true;
    }

    public int Slot { get; private set; }

    public int Generation { get; private set; }

    public ReadOnlyMemory<float> Frame { get; private set; }  // [I]

    public Memory<float> Output { get; private set; }         // [H_out]

    public long EnqueuedAt { get; private set; }              // clock timestamp of the call

    public long Arrival { get; set; }                         // order among all waiting steps, from the ready queue

    public StepRequest? InboxNext { get; set; }

    public StepRequest? QueueNext { get; set; }

    public bool IsCanceled => Volatile.Read(ref state) == Canceled;

    public ValueTask Start(StreamHandle handle, ReadOnlyMemory<float> frame, Memory<float> output, long now, WakeSignal wakeSignal, CancellationToken cancellationToken)
    {
        core.Reset();
        Slot = handle.Slot;
        Generation = handle.Generation;
        Frame = frame;
        Output = output;
        EnqueuedAt = now;
        token = cancellationToken;
        wake = wakeSignal;
        state = Queued;
        holders = 2;
        awaited = 0;
        var result = new ValueTask(this, core.Version);
        if (cancellationToken.CanBeCanceled)
        {
            registration = cancellationToken.UnsafeRegister(CancelCallback, this);
        }

        return result;
    }

    /// <summary>Claims the request for a batch (or for failing it); false when the token canceled it first.</summary>
    public bool TryTake()
    {
        if (Interlocked.CompareExchange(ref state, Taken, Queued) != Queued)
        {
            return false;
        }

        // Waits for a callback already running (it finds the request taken and does nothing), so
        // none can touch the request after it is recycled.
        registration.Dispose();
        return true;
    }

    /// <summary>Completes a taken request whose output has been written.</summary>
    public void Complete()
    {
        core.SetResult(true);
        Release();
    }

    /// <summary>Completes a taken request with an error.</summary>
    public void Fail(Exception error)
    {
        core.SetException(error);
        Release();
    }

    /// <summary>Lets go of a request the token canceled (the caller already has its exception).</summary>
    public void Discard()
    {
        registration.Dispose();
        Release();
    }

    public ValueTaskSourceStatus GetStatus(short version) => core.GetStatus(version);

    public void OnCompleted(Action<object?> continuation, object? state, short version, ValueTaskSourceOnCompletedFlags flags) =>
        core.OnCompleted(continuation, state, version, flags);

    public void GetResult(short version)
    {
        if (version != core.Version)
        {
            throw new InvalidOperationException("This StepAsync result was already awaited; a ValueTask may be awaited once.");
        }

        try
        {
            core.GetResult(version);
        }
        finally
        {
            if (Interlocked.Exchange(ref awaited, 1) == 0)
            {
                Release();
            }
        }
    }

    private void OnCanceled()
    {
        if (Interlocked.CompareExchange(ref state, Canceled, Queued) == Queued)
        {
            core.SetException(new OperationCanceledException("The step was canceled before it entered a batch; the stream's state is unchanged.", token));
            wake?.Signal(); // so the loop lets go of it soon
        }
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref holders) == 0)
        {
            Frame = default;
            Output = default;
            token = default;
            registration = default;
            wake = null;
            pool.Enqueue(this);
        }
    }
}

using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace FastRnn.Serving;

public sealed partial class StreamBatcher
{
    /// <summary>
    /// Queues one frame of a stream for the background loop, which steps it in a batch with the
    /// oldest ready frames of other streams; completes when the output is written. A stream's frames
    /// are applied in the order of the calls (calls from one thread, made without awaiting in
    /// between, keep their order). Allocates nothing once warm with a token that cannot be canceled.
    /// </summary>
    /// <param name="handle">The stream.</param>
    /// <param name="frame">[I] the stream's next input; read when the step runs, so keep it unchanged until the task completes.</param>
    /// <param name="output">[O] receives the top layer's hidden state after the step [H_out], or the head's output [C] with a head (<see cref="OutputSize"/>).</param>
    /// <param name="cancellationToken">Cancels the step if it has not entered a batch yet (the state is then unchanged).</param>
    /// <returns>A task to await exactly once; it fails with <see cref="StreamClosedException"/> (or <see cref="StreamExpiredException"/>)
    /// if the stream is not open, <see cref="OperationCanceledException"/> if canceled, <see cref="ObjectDisposedException"/> if the batcher is disposed first;
    /// with the exception a <paramref name="frame"/> or <paramref name="output"/> memory throws when the loop reads or writes it (a disposed
    /// memory owner): the step is not applied if the frame failed, and is applied if only the output did. A canceled call no longer counts as
    /// a step waiting on its stream.</returns>
    /// <exception cref="ArgumentException">A length is wrong, the memories overlap, or the handle is the default one or was opened by another batcher.</exception>
    /// <exception cref="ObjectDisposedException">The batcher is disposed.</exception>
    public ValueTask StepAsync(StreamHandle handle, ReadOnlyMemory<float> frame, Memory<float> output, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (frame.Length != inputSize)
        {
            throw new ArgumentException($"Expected a frame of {inputSize} floats (the network's input size), got {frame.Length}.", nameof(frame));
        }

        if (output.Length != outputSize)
        {
            throw new ArgumentException(
                Options.Head is null
                    ? $"Expected an output of {outputSize} floats (the network's state size H_out), got {output.Length}."
                    : $"Expected an output of {outputSize} floats (the head's output size C), got {output.Length}.",
                nameof(output));
        }

        if (frame.Span.Overlaps(output.Span))
        {
            throw new ArgumentException("output overlaps frame; the output must not share memory with the frame being read.", nameof(output));
        }

        CheckHandle(handle);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        if (Volatile.Read(ref loop) is null)
        {
            StartLoop();
        }

        if (!pool.TryDequeue(out StepRequest? request))
        {
            request = new StepRequest(pool);
        }

        ValueTask result = request.Start(handle, frame, output, clock.GetTimestamp(), wake, cancellationToken);
        if (inbox.Push(request))
        {
            wake.Signal();
        }

        // Dispose empties the inbox after setting the flag: a request pushed after that is failed here.
        if (disposed)
        {
            lock (gate)
            {
                FailInbox();
            }
        }

        return result;
    }

    private void StartLoop()
    {
        lock (gate)
        {
            ThrowIfDisposed();
            if (loop is not null)
            {
                return;
            }

            // The requests are made with the first asynchronous step, not with the batcher, so a
            // batcher stepped only synchronously has none. Enough for a full batch in flight while
            // the callers queue the next one: awaiting callers then find one in the pool even when
            // a completed request comes back after its caller's next call. More are made on demand.
            for (int i = 0; i < 2 * maxBatch; i++)
            {
                pool.Enqueue(new StepRequest(pool));
            }

            // The loop should not carry the first caller's execution context (its async locals,
            // its activity) for the batcher's lifetime.
            var thread = new Thread(RunLoop) { IsBackground = true, Name = "FastRnn.Serving batcher" };
            thread.UnsafeStart();
            Volatile.Write(ref loop, thread);
        }
    }

    private void RunLoop()
    {
        while (true)
        {
            TimeSpan wait;
            lock (gate)
            {
                if (disposed)
                {
                    return;
                }

                try
                {
                    wait = Tick();
                }
#pragma warning disable CA1031 // Not control flow: whatever fails here (a bug) fails the steps it held, never the loop that serves every stream.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    FailInFlight(e);
                    wait = TimeSpan.Zero;
                }
            }

            if (wait != TimeSpan.Zero)
            {
                wake.Wait(wait);
            }
        }
    }

    /// <summary>
    /// Steps the oldest ready frames of distinct streams as one batch, unless fewer than MaxBatch
    /// are ready and the oldest has waited less than MaxQueueDelay. Returns how long to sleep:
    /// zero to look again now, infinite when nothing waits.
    /// </summary>
    private TimeSpan Tick()
    {
        Absorb();
        StepRequest? oldest;
        while ((oldest = ready.PeekOldest()) is not null && oldest.IsCanceled)
        {
            ready.DropCanceled(oldest.Slot); // a cancelled step neither waits out the delay nor delays the others
        }

        if (oldest is null)
        {
            return Timeout.InfiniteTimeSpan;
        }

        if (delayTicks > 0 && ready.ReadyStreams < maxBatch)
        {
            long waited = clock.GetTimestamp() - oldest.EnqueuedAt;
            if (waited < delayTicks)
            {
                // Whole milliseconds, rounded up: a monitor's timed wait has no finer grain, and a
                // zero wait would spin until the delay is over.
                return TimeSpan.FromMilliseconds(Math.Ceiling((delayTicks - waited) * 1000.0 / clock.TimestampFrequency));
            }
        }

        int count = 0;
        while (count < maxBatch && ready.TakeOldest() is StepRequest request)
        {
            int slot = request.Slot;
            if (!request.TryTake())
            {
                request.Discard();
                ready.Requeue(slot);
                continue;
            }

            try
            {
                request.Frame.Span.CopyTo(engine.InputRow(count)); // the caller's memory, which may fail (a disposed MemoryManager)
            }
#pragma warning disable CA1031 // Not control flow: the caller's frame cannot be read; that step fails, the batch goes on.
            catch (Exception e)
#pragma warning restore CA1031
            {
                request.Fail(e);
                ready.Requeue(slot);
                continue;
            }

            inFlight[count] = request;
            engine.RowSlots[count] = slot;
            count++;
        }

        if (count > 0)
        {
            RunInFlight(count);
        }

        return TimeSpan.Zero;
    }

    private void RunInFlight(int count)
    {
        bool timeQueue = ServingMetrics.QueueDelay.Enabled;
        long started = timeQueue ? clock.GetTimestamp() : 0; // the batch starts: its requests stop waiting
        ObserveBatch?.Invoke(engine.RowSlots.AsSpan(0, count));
        long began = ServingMetrics.StepDuration.Enabled ? Stopwatch.GetTimestamp() : 0;
        Exception? failure = null;
        try
        {
            engine.RunStaged(count);
        }
#pragma warning disable CA1031 // Not control flow: a failed step (a bug) fails its callers instead of killing the loop.
        catch (Exception e)
#pragma warning restore CA1031
        {
            failure = e;
        }

        long now = clock.GetTimestamp();
        for (int i = 0; i < count; i++)
        {
            StepRequest request = inFlight[i]!;
            inFlight[i] = null;
            int slot = request.Slot; // read before completing: the request may be recycled at once
            if (failure is null)
            {
                slots.LastUsed[slot] = now;
                if (timeQueue)
                {
                    ServingMetrics.RecordQueueDelay((started - request.EnqueuedAt) / (double)clock.TimestampFrequency);
                }

                CompleteWithOutput(request, engine.OutputRow(i));
            }
            else
            {
                request.Fail(failure);
            }

            ready.Requeue(slot);
        }

        ServingMetrics.RecordStep(count, began);
    }

    // The step was applied; its output goes to the caller's memory, which may fail (a disposed
    // MemoryManager): then the call fails with that exception, its stream stepped all the same.
    private static void CompleteWithOutput(StepRequest request, ReadOnlySpan<float> output)
    {
        try
        {
            output.CopyTo(request.Output.Span);
        }
#pragma warning disable CA1031 // Not control flow: the caller's output cannot be written; that call fails, the batch goes on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            request.Fail(e);
            return;
        }

        request.Complete();
    }

    // A failure outside the step itself (a bug): the steps taken into the batch fail with it, and
    // their streams take their next steps as usual.
    private void FailInFlight(Exception error)
    {
        for (int i = 0; i < inFlight.Length; i++)
        {
            if (inFlight[i] is StepRequest request)
            {
                inFlight[i] = null;
                int slot = request.Slot;
                request.Fail(error);
                ready.Requeue(slot);
            }
        }
    }

    /// <summary>Moves the inbox's requests into the ready queue (under the lock), failing those of streams no longer open.</summary>
    private void Absorb()
    {
        StepRequest? request = inbox.TakeAll();
        while (request is not null)
        {
            StepRequest? next = request.InboxNext;
            request.InboxNext = null;
            int slot = request.Slot;
            var handle = new StreamHandle(id, slot, request.Generation);
            if (request.IsCanceled)
            {
                request.Discard();
            }
            else if (!slots.Open[slot] || slots.Generation[slot] != request.Generation)
            {
                Reject(request, Ended(handle));
            }
            else if (request.EnqueuedAt - slots.LastUsed[slot] > idleTicks && ready.DropCanceled(slot) == 0)
            {
                FreeSlot(slot, expired: true);
                Reject(request, Ended(handle));
            }
            else
            {
                slots.LastUsed[slot] = Math.Max(slots.LastUsed[slot], request.EnqueuedAt);
                ready.Add(request);
            }

            request = next;
        }
    }

    private void FailInbox()
    {
        for (StepRequest? request = inbox.TakeAll(); request is not null;)
        {
            StepRequest? next = request.InboxNext;
            request.InboxNext = null;
            Reject(request, new ObjectDisposedException(nameof(StreamBatcher), "The batcher was disposed before this step entered a batch; the step was not applied."));
            request = next;
        }
    }

    private void FailAllWaiting()
    {
        FailInbox();
        for (int slot = 0; slot < slots.Count; slot++)
        {
            for (StepRequest? request = ready.RemoveAll(slot); request is not null;)
            {
                StepRequest? next = request.QueueNext;
                request.QueueNext = null;
                Reject(request, new ObjectDisposedException(nameof(StreamBatcher), "The batcher was disposed before this step entered a batch; the step was not applied."));
                request = next;
            }
        }
    }

    private static void Reject(StepRequest request, Exception error)
    {
        if (request.TryTake())
        {
            request.Fail(error);
        }
        else
        {
            request.Discard();
        }
    }
}

using System;
using System.Collections.Concurrent;
using System.Threading;
using FastRnn.Heads;
using FastRnn.Networks;

namespace FastRnn.Serving;

/// <summary>
/// Serves many independent streams of one shared unidirectional network: a fixed number of stream
/// slots with their states, and the ready steps of different streams run as one batched step (the
/// weights are read once for the whole batch). A stream's results are bit-identical to a
/// <see cref="Sessions.StreamingSession"/> stepping it alone, whatever it is batched with, on
/// any number of threads, in any arrival order. With a <see cref="StreamBatcherOptions.Head"/>, each
/// batch's outputs pass through the head in one call after the step, and a stream's outputs are
/// bit-identical to <see cref="DenseHead.Apply"/> of that session's output.
/// </summary>
/// <remarks>
/// <para>Two ways to step. <see cref="Step(ReadOnlySpan{StreamHandle}, ReadOnlySpan{float}, Span{float})"/>
/// runs the given streams now, on the calling thread, for a caller that already batches (a game
/// loop, a sensor hub). <see cref="StepAsync"/> queues one frame for a background loop (one
/// dedicated thread, started by the first call, asleep when there is no work) that batches the
/// oldest ready steps of distinct streams, up to <see cref="StreamBatcherOptions.MaxBatch"/>,
/// waiting at most <see cref="StreamBatcherOptions.MaxQueueDelay"/> for more. A stream's frames
/// are applied in order, one step each; use one way or the other for a stream at a time (a
/// synchronous call on a stream with steps waiting is refused).</para>
/// <para>Every method is thread-safe. Steady state allocates nothing: the synchronous call never, an
/// awaited <see cref="StepAsync"/> with <see cref="CancellationToken.None"/> (or any token that
/// cannot be canceled) once its pooled request exists. A cancelable token costs the runtime's
/// registration of one callback per call (its callback node, which the token's source reuses once
/// unregistered) and nothing else; cancellation succeeds only before the step enters a batch.</para>
/// </remarks>
public sealed partial class StreamBatcher : IDisposable
{
    private static int lastId;                          // the identity last given to a batcher
    private readonly int id = NextId();                 // stamped on the handles this batcher issues
    private readonly object gate = new();               // guards everything but the inbox and the pool
    private readonly RecurrentNetwork network;
    private readonly SlotTable slots;
    private readonly BatchEngine engine;
    private readonly ReadyQueue ready;
    private readonly RequestInbox inbox = new();
    private readonly ConcurrentQueue<StepRequest> pool = new();
    private readonly WakeSignal wake = new();
    private readonly StepRequest?[] inFlight;           // [MaxBatch] requests of the batch being stepped
    private readonly int[] marks;                       // [S] number of the synchronous call that last named each slot
    private readonly TimeProvider clock;
    private readonly long idleTicks;                    // IdleTimeout in clock ticks; long.MaxValue for never
    private readonly long delayTicks;                   // MaxQueueDelay in clock ticks
    private readonly int inputSize, outputSize, maxBatch; // outputSize: the head's C, else H_out
    private int markNumber;
    private Thread? loop;
    private volatile bool disposed;
    private readonly object disposeGate = new(); // a second Dispose waits for the first to finish
    private bool disposeDone;

    /// <summary>Creates a batcher with every slot free and every buffer allocated (but the pooled requests of
    /// <see cref="StepAsync"/>, made with the first asynchronous step).</summary>
    /// <param name="network">The network every stream runs; shared, not copied.</param>
    /// <param name="options">Slots, batch size, delays and threads; null for the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range (the message names it), the head's input size is not the
    /// network's output size, or the states do not fit in memory (MaxStreams slots need more bytes than the GC reports
    /// available to the process, GCMemoryInfo.TotalAvailableMemoryBytes; the message names both).</exception>
    /// <exception cref="NotSupportedException">The network is bidirectional or reverse.</exception>
    public StreamBatcher(RecurrentNetwork network, StreamBatcherOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= new StreamBatcherOptions();
        options.Validate();
        NetworkDescription d = network.Description;
        if (d.Bidirectional || d.Reverse)
        {
            throw new NotSupportedException(
                $"A {(d.Bidirectional ? "bidirectional" : "reverse")} network cannot serve streams: its {(d.Bidirectional ? "reverse direction" : "direction")} starts at the end of the sequence, and a stream cannot see the future. Run whole sequences with RecurrentNetwork.Forward instead.");
        }

        if (options.Head is DenseHead head && head.InputSize != d.OutputSize)
        {
            throw new ArgumentException(
                $"The head takes {head.InputSize} inputs per row, but the network's output size (H_out) is {d.OutputSize}: StreamBatcherOptions.Head must be a head for this network (InputSize = {d.OutputSize}).",
                nameof(options));
        }

        this.network = network;
        Options = options;
        clock = options.TimeProvider;
        inputSize = d.InputSize;
        outputSize = options.Head?.OutputSize ?? d.StateSize;
        maxBatch = Math.Min(options.MaxBatch, options.MaxStreams);
        idleTicks = options.IdleTimeout == Timeout.InfiniteTimeSpan ? long.MaxValue : ClockTicks(options.IdleTimeout);
        delayTicks = ClockTicks(options.MaxQueueDelay);
        CheckSlotsFitInMemory(d, options.MaxStreams);
        slots = new SlotTable(options.MaxStreams, d.NumLayers, d.StateSize, d.HiddenSize, d.HasCellState);
        engine = new BatchEngine(network, options.Head, slots, maxBatch, options.Threads);
        ready = new ReadyQueue(options.MaxStreams);
        inFlight = new StepRequest?[maxBatch];
        marks = new int[options.MaxStreams];
    }

    /// <summary>
    /// Bytes the batcher allocates per slot, for all of <paramref name="maxStreams"/>: the states
    /// (hidden [L, H_out] and cell [L, H] floats) and the bookkeeping arrays sized by MaxStreams.
    /// </summary>
    internal static long SlotBytes(NetworkDescription d, int maxStreams)
    {
        long stateFloats = ((long)d.NumLayers * d.StateSize) + (d.HasCellState ? (long)d.NumLayers * d.HiddenSize : 0);

        // SlotTable: generation, free ring (int), open, expired (bool), last used (long);
        // ReadyQueue: head, tail (references), pending (int), in heap (bool), heap entry (int, long);
        // the marks of synchronous calls (int).
        const long Bookkeeping = 4 + 4 + 1 + 1 + 8 + (2 * 8) + 4 + 1 + 16 + 4;
        return maxStreams * ((4 * stateFloats) + Bookkeeping);
    }

    /// <summary>
    /// Refuses, before allocating them, slots that need more memory than the GC says this process can
    /// have: allocating them would fail (or page the machine to a halt) only after gigabytes.
    /// </summary>
    private static void CheckSlotsFitInMemory(NetworkDescription d, int maxStreams)
    {
        long needed = SlotBytes(d, maxStreams);
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (needed > available)
        {
            throw new ArgumentException(
                $"MaxStreams {maxStreams} needs {needed} bytes for the stream states of this network ({d.NumLayers} layers, state {d.StateSize}, hidden {d.HiddenSize}) and their bookkeeping, " +
                $"but the GC reports {available} bytes available to the process (GCMemoryInfo.TotalAvailableMemoryBytes): the states do not fit in memory; use fewer streams.");
        }
    }

    /// <summary>Called (under the lock) with the slots of each batched step before it runs; for tests.</summary>
    internal delegate void BatchObserver(ReadOnlySpan<int> rowSlots);

    /// <summary>The test hook, or null.</summary>
    internal BatchObserver? ObserveBatch { get; set; }

    /// <summary>The lock; tests hold it to queue several steps before the loop sees any.</summary>
    internal object Gate => gate;

    /// <summary>The session the batches step in (tests: its worker threads end with the batcher).</summary>
    internal Sessions.StreamingSession Session => engine.Session;

    /// <summary>The network every stream runs.</summary>
    public NetworkDescription Description => network.Description;

    /// <summary>Floats per stream per step in the outputs of <c>Step</c> and <see cref="StepAsync"/>: the head's
    /// <see cref="DenseHead.OutputSize"/> (C) with a head, else the network's H_out.</summary>
    public int OutputSize => outputSize;

    /// <summary>The options the batcher was created with.</summary>
    public StreamBatcherOptions Options { get; }

    /// <summary>Streams open now (streams idle past the timeout count until something frees them).</summary>
    public int OpenStreams
    {
        get
        {
            lock (gate)
            {
                return slots.OpenCount;
            }
        }
    }

    /// <summary>Opens a stream with zero state.</summary>
    /// <returns>Its handle.</returns>
    /// <exception cref="InvalidOperationException">All <see cref="StreamBatcherOptions.MaxStreams"/> slots hold open streams.</exception>
    /// <exception cref="ObjectDisposedException">The batcher is disposed.</exception>
    public StreamHandle Open() => Open(default, default);

    /// <summary>Opens a stream with the given state (PyTorch's h_0 and c_0 of one sequence).</summary>
    /// <param name="hidden">[L, H_out] the initial hidden state of every layer.</param>
    /// <param name="cell">[L, H] the initial cell state (LSTM), or empty for zeros (and for other cells).</param>
    /// <returns>Its handle.</returns>
    /// <exception cref="ArgumentException">A state has the wrong length.</exception>
    /// <exception cref="InvalidOperationException">All slots hold open streams.</exception>
    /// <exception cref="ObjectDisposedException">The batcher is disposed (checked before the arguments).</exception>
    public StreamHandle Open(ReadOnlySpan<float> hidden, ReadOnlySpan<float> cell)
    {
        ThrowIfDisposed();
        if (!hidden.IsEmpty)
        {
            CheckStateLengths(hidden.Length, cell.Length, allowEmptyCell: true);
        }
        else if (!cell.IsEmpty)
        {
            throw new ArgumentException("A cell state without a hidden state: pass both, or neither for zeros.", nameof(cell));
        }

        lock (gate)
        {
            int slot = OpenSlot();
            hidden.CopyTo(slots.HiddenOf(slot));
            cell.CopyTo(slots.CellOf(slot));
            return new StreamHandle(id, slot, slots.Generation[slot]);
        }
    }

    /// <summary>Sets a stream's state back to zero, as for a new utterance.</summary>
    /// <param name="handle">The stream.</param>
    /// <exception cref="ArgumentException">The handle is the default one or was opened by another batcher.</exception>
    /// <exception cref="StreamClosedException">The stream is no longer open (<see cref="StreamExpiredException"/> after an idle timeout).</exception>
    /// <exception cref="InvalidOperationException">The stream has <see cref="StepAsync"/> calls waiting.</exception>
    /// <exception cref="ObjectDisposedException">The batcher is disposed (checked before the handle).</exception>
    public void Reset(StreamHandle handle)
    {
        lock (gate)
        {
            int slot = FindForState(handle, "Reset");
            slots.HiddenOf(slot).Clear();
            slots.CellOf(slot).Clear();
        }
    }

    /// <summary>Copies out a stream's state.</summary>
    /// <param name="handle">The stream.</param>
    /// <param name="hidden">[L, H_out] receives the hidden state of every layer.</param>
    /// <param name="cell">[L, H] receives the cell state (LSTM); empty for other cells.</param>
    /// <exception cref="ArgumentException">A destination has the wrong length, the two share memory, or the handle is the default one or was opened by another batcher.</exception>
    /// <exception cref="StreamClosedException">The stream is no longer open.</exception>
    /// <exception cref="InvalidOperationException">The stream has <see cref="StepAsync"/> calls waiting.</exception>
    /// <exception cref="ObjectDisposedException">The batcher is disposed (checked before the arguments).</exception>
    public void GetState(StreamHandle handle, Span<float> hidden, Span<float> cell)
    {
        ThrowIfDisposed();
        CheckStateLengths(hidden.Length, cell.Length, allowEmptyCell: false);
        if (hidden.Overlaps(cell, out int offset))
        {
            throw new ArgumentException(
                $"hidden ({hidden.Length} floats) and cell ({cell.Length} floats) overlap (the second starts {Math.Abs(offset)} floats {(offset >= 0 ? "after" : "before")} the first); pass destinations over separate memory.",
                nameof(cell));
        }

        lock (gate)
        {
            int slot = FindForState(handle, "GetState");
            slots.HiddenOf(slot).CopyTo(hidden);
            slots.CellOf(slot).CopyTo(cell);
        }
    }

    /// <summary>
    /// Ends a stream and frees its slot; its waiting <see cref="StepAsync"/> calls fail with
    /// <see cref="StreamClosedException"/>.
    /// </summary>
    /// <param name="handle">The stream.</param>
    /// <returns>True if the stream was open; false if it had already ended (closed, or idle past the timeout: then
    /// it is freed as expired, as a step on it would find, whether or not a sweep had freed it yet).</returns>
    /// <exception cref="ArgumentException">The handle is the default one or was opened by another batcher.</exception>
    /// <exception cref="ObjectDisposedException">The batcher is disposed (checked before the handle).</exception>
    public bool Close(StreamHandle handle)
    {
        ThrowIfDisposed();
        CheckHandle(handle);
        lock (gate)
        {
            ThrowIfDisposed();
            Absorb();
            int slot = handle.Slot;
            if (!IsOpenUnderLock(handle))
            {
                return false;
            }

            for (StepRequest? r = ready.RemoveAll(slot); r is not null;)
            {
                StepRequest? next = r.QueueNext;
                Reject(r, new StreamClosedException($"{handle} was closed while this step was waiting; the step was not applied.", handle));
                r = next;
            }

            FreeSlot(slot, expired: false);
            return true;
        }
    }

    /// <summary>
    /// Whether a stream is open: not closed, and not idle past the timeout (such a stream is freed here
    /// as expired, as a step on it would find). For a caller that keeps handles by its own ids and
    /// must forget the ones that expired without being named again.
    /// </summary>
    /// <param name="handle">The stream.</param>
    /// <returns>True if a step on it now would be taken.</returns>
    /// <exception cref="ArgumentException">The handle is the default one or was opened by another batcher.</exception>
    /// <exception cref="ObjectDisposedException">The batcher is disposed (checked before the handle).</exception>
    public bool IsOpen(StreamHandle handle)
    {
        ThrowIfDisposed();
        CheckHandle(handle);
        lock (gate)
        {
            ThrowIfDisposed();
            Absorb();
            return IsOpenUnderLock(handle);
        }
    }

    // Open, and not idle past the timeout with nothing waiting (freed as expired then: already gone for every other call).
    private bool IsOpenUnderLock(StreamHandle handle)
    {
        int slot = handle.Slot;
        if (!slots.Open[slot] || slots.Generation[slot] != handle.Generation)
        {
            return false;
        }

        if (clock.GetTimestamp() - slots.LastUsed[slot] > idleTicks && ready.DropCanceled(slot) == 0)
        {
            FreeSlot(slot, expired: true);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Frees every stream idle for longer than <see cref="StreamBatcherOptions.IdleTimeout"/> now
    /// (the batcher also does when a call finds one, and when <see cref="Open()"/> needs a slot);
    /// for a service that wants <see cref="OpenStreams"/> current, from a timer.
    /// </summary>
    /// <returns>Streams freed.</returns>
    /// <exception cref="ObjectDisposedException">The batcher is disposed.</exception>
    public int CloseIdleStreams()
    {
        lock (gate)
        {
            ThrowIfDisposed();
            Absorb();
            return ExpireIdle(clock.GetTimestamp());
        }
    }

    /// <summary>
    /// Stops the background loop after the batch in flight, fails every waiting
    /// <see cref="StepAsync"/> with <see cref="ObjectDisposedException"/>, and refuses later calls.
    /// </summary>
    /// <remarks>
    /// The loop thread ends here, and with <see cref="StreamBatcherOptions.Threads"/> above 1 the
    /// step's worker threads too; a batcher that was never disposed keeps its loop thread, and with it
    /// the batcher, for the life of the process. A second Dispose at the same time returns once the
    /// first has finished.
    /// </remarks>
    public void Dispose()
    {
        // One at a time: a second caller returns only once the first has stopped everything.
        lock (disposeGate)
        {
            if (disposeDone)
            {
                return;
            }

            disposeDone = true; // first: a failure below must not let a second call count the open streams off again

            // Set before taking the lock, so the loop stops after the batch in flight rather than
            // racing this call for the lock and starting another.
            disposed = true;
            Thread? running;
            lock (gate)
            {
                FailAllWaiting();
                ServingMetrics.AddOpenStreams(-slots.OpenCount);
                running = loop;
            }

            wake.Signal();
            if (running is not null && running != Thread.CurrentThread)
            {
                running.Join();
            }

            // Under the lock: a synchronous step that got past the disposed check finishes its batch first.
            lock (gate)
            {
                engine.Dispose();
            }
        }
    }

    private int OpenSlot()
    {
        ThrowIfDisposed();
        Absorb();
        long now = clock.GetTimestamp();
        int slot = slots.TryOpen(now);
        if (slot < 0 && ExpireIdle(now) > 0)
        {
            slot = slots.TryOpen(now);
        }

        if (slot < 0)
        {
            throw new InvalidOperationException($"All {slots.Count} stream slots hold open streams (StreamBatcherOptions.MaxStreams); close a stream first, or create the batcher with more slots.");
        }

        ServingMetrics.AddOpenStreams(1);
        return slot;
    }

    private void FreeSlot(int slot, bool expired)
    {
        engine.FlushAll(); // a freed slot must not stay resident: it would be stepped with stale state when reopened
        slots.Free(slot, expired);
        ServingMetrics.AddOpenStreams(-1);
    }

    private int ExpireIdle(long now)
    {
        if (idleTicks == long.MaxValue)
        {
            return 0;
        }

        int freed = 0;
        for (int slot = 0; slot < slots.Count; slot++)
        {
            if (slots.Open[slot] && now - slots.LastUsed[slot] > idleTicks && ready.DropCanceled(slot) == 0)
            {
                FreeSlot(slot, expired: true);
                freed++;
            }
        }

        return freed;
    }

    /// <summary>The slot of an open stream, for a call about to use it at <paramref name="now"/>; frees it and throws if it has been idle too long.</summary>
    private int Find(StreamHandle handle, long now)
    {
        CheckHandle(handle);
        int slot = handle.Slot;
        if (!slots.Open[slot] || slots.Generation[slot] != handle.Generation)
        {
            throw Ended(handle);
        }

        if (now - slots.LastUsed[slot] > idleTicks && ready.DropCanceled(slot) == 0)
        {
            FreeSlot(slot, expired: true);
            throw Ended(handle);
        }

        return slot;
    }

    /// <summary>Find for a call that reads or replaces the state: also refuses a stream with steps waiting.</summary>
    private int FindForState(StreamHandle handle, string call)
    {
        ThrowIfDisposed();
        Absorb();
        long now = clock.GetTimestamp();
        int slot = Find(handle, now);
        ThrowIfWaiting(handle, slot, call);
        slots.LastUsed[slot] = now;
        engine.FlushAll(); // the caller reads or replaces the slot's state
        return slot;
    }

    private void ThrowIfWaiting(StreamHandle handle, int slot, string call)
    {
        int waiting = ready.DropCanceled(slot); // a call whose token cancelled it no longer holds the stream
        if (waiting != 0)
        {
            throw new InvalidOperationException($"{handle} has {waiting} StepAsync call(s) waiting; a stream's steps apply in order, so await them before {call}.");
        }
    }

    private StreamClosedException Ended(StreamHandle handle)
    {
        int current = slots.Generation[handle.Slot];
        if (current == handle.Generation && slots.Expired[handle.Slot])
        {
            return new StreamExpiredException($"{handle} was freed after no call named it for longer than the idle timeout ({Options.IdleTimeout}); its state is gone. Open a new stream, or import a state exported before.", handle);
        }

        if (current == handle.Generation)
        {
            return new StreamClosedException($"{handle} was closed; its state is gone.", handle);
        }

        return handle.Generation < current
            ? new StreamClosedException($"{handle} has ended (closed, or freed when idle) and its slot now holds a newer stream (generation {current}).", handle)
            : new StreamClosedException($"{handle} has ended: slot {handle.Slot} is at generation {current}, its generation numbers having wrapped around since.", handle);
    }

    /// <summary>A new identity, never 0 (the default handle's), unique among the batchers of the process until 2^32 of them have been created.</summary>
    private static int NextId()
    {
        int next;
        do
        {
            next = Interlocked.Increment(ref lastId);
        }
        while (next == 0);

        return next;
    }

    private void CheckHandle(StreamHandle handle)
    {
        // One compare on the hot path: only this batcher issues handles with its identity, always
        // with a slot in range and a generation from 1, and the default handle carries identity 0.
        if (handle.Batcher != id)
        {
            throw ForeignHandle(handle);
        }
    }

    private ArgumentException ForeignHandle(StreamHandle handle) => handle.Batcher == 0
        ? new ArgumentException($"{handle} is not a handle of this batcher (slots 0..{slots.Count - 1}, generations from 1): the default handle names no stream; use a handle from Open or ImportState.", nameof(handle))
        : new ArgumentException($"{handle} was opened by another StreamBatcher; a handle names a stream of the batcher whose Open or ImportState returned it (to move a stream between batchers, ExportState it there and ImportState it here).", nameof(handle));

    // The parameters are named as the public ones whose lengths they are, for the exceptions' ParamName.
    private void CheckStateLengths(int hidden, int cell, bool allowEmptyCell)
    {
        NetworkDescription d = network.Description;
        if (hidden != slots.HiddenPerSlot)
        {
            throw new ArgumentException($"Expected a hidden state [{d.NumLayers}, {d.StateSize}] = {slots.HiddenPerSlot} floats, got {hidden}.", nameof(hidden));
        }

        if (cell != slots.CellPerSlot && !(allowEmptyCell && cell == 0))
        {
            throw new ArgumentException(
                d.HasCellState
                    ? $"Expected a cell state [{d.NumLayers}, {d.HiddenSize}] = {slots.CellPerSlot} floats, got {cell}."
                    : $"A {d.Kind} network has no cell state; pass an empty span, got {cell} floats.",
                nameof(cell));
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed, this);

    private long ClockTicks(TimeSpan time) => (long)Math.Min(time.TotalSeconds * clock.TimestampFrequency, long.MaxValue / 4);
}

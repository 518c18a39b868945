using System;
using System.Threading;
using FastRnn.Heads;

namespace FastRnn.Serving;

/// <summary>How a <see cref="StreamBatcher"/> holds and batches its streams.</summary>
public sealed record StreamBatcherOptions
{
    /// <summary>Stream slots, each with its state, allocated once (1..1,048,576; default 256).</summary>
    public int MaxStreams { get; init; } = 256;

    /// <summary>Streams stepped together in one batched step (1..65,536, default 32; above <see cref="MaxStreams"/> it means <see cref="MaxStreams"/>).</summary>
    public int MaxBatch { get; init; } = 32;

    /// <summary>
    /// How long the background loop may hold the oldest waiting <see cref="StreamBatcher.StepAsync"/>
    /// while fewer than <see cref="MaxBatch"/> streams are ready, hoping for more (0..1 s; default 0:
    /// step whatever is ready at once, which still batches the steps that arrive while a step runs).
    /// </summary>
    public TimeSpan MaxQueueDelay { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// A stream no call has named for longer than this is freed, and the next call on its handle
    /// throws <see cref="StreamExpiredException"/> (positive, or <see cref="Timeout.InfiniteTimeSpan"/>
    /// for never, the default). Streams are freed when a call finds them idle, when
    /// <see cref="StreamBatcher.Open()"/> needs a slot, or by <see cref="StreamBatcher.CloseIdleStreams"/>.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>
    /// Threads one batched step uses (1..64, default 1), the calling or loop thread one of them: a
    /// batch of at least 16 streams a thread is shared by streams (each thread the whole step of its
    /// own streams); a smaller one by output rows (every thread its share of the hidden units of every
    /// stream), so a lone stream gains from them as well; a step too small to pay for either runs on
    /// one thread. Results do not depend on it.
    /// </summary>
    public int Threads { get; init; } = 1;

    /// <summary>
    /// A dense head applied to every batch's outputs in one call after the step (null, the default, for
    /// none): <c>Step</c> and <see cref="StreamBatcher.StepAsync"/> then write [C] per stream instead
    /// of [H_out]. Its <see cref="DenseHead.InputSize"/> must be the network's output size (checked
    /// when the batcher is created). The head computes every row on its own, so a stream's results
    /// stay bit-identical to stepping it alone and applying the head to that output; shared, not copied.
    /// </summary>
    public DenseHead? Head { get; init; }

    /// <summary>
    /// The clock of idle timeouts and queue delays (default <see cref="TimeProvider.System"/>); tests
    /// inject their own. The loop waits out a queue delay in real time and then reads this clock
    /// again, so with a clock that stands still a partial batch waits until the batch fills.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range, its value and the range.</summary>
    public void Validate()
    {
        if (MaxStreams < 1 || MaxStreams > 1 << 20)
        {
            throw new ArgumentException($"MaxStreams must be in 1..{1 << 20}, got {MaxStreams}.");
        }

        if (MaxBatch < 1 || MaxBatch > 1 << 16)
        {
            throw new ArgumentException($"MaxBatch must be in 1..{1 << 16}, got {MaxBatch}.");
        }

        if (MaxQueueDelay < TimeSpan.Zero || MaxQueueDelay > TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException($"MaxQueueDelay must be in 0..1 s, got {MaxQueueDelay}.");
        }

        if (IdleTimeout <= TimeSpan.Zero && IdleTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException($"IdleTimeout must be positive or Timeout.InfiniteTimeSpan, got {IdleTimeout}.");
        }

        if (Threads < 1 || Threads > 64)
        {
            throw new ArgumentException($"Threads must be in 1..64, got {Threads}.");
        }

        if (TimeProvider is null)
        {
            throw new ArgumentException("TimeProvider must not be null (TimeProvider.System is the default).");
        }
    }
}

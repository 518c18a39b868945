using System;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;

namespace FastRnn.Cli.LoadTest;

/// <summary>
/// Drives one stream, or the n streams of one multiplexed connection on the connection's one clock
/// (frame k of every stream in one message; one answer answers them all, so they are sent, answered,
/// skipped and timed together, and counted each): a sender that puts each frame out on the clock
/// (frame k at start + k·interval, so a slow answer does not shift later frames; frames already due
/// go out at once) and a receiver that takes the answers in order and records each latency, from the
/// send to its answer. At most a window of frames is unanswered; a frame due while the window is full
/// is skipped and counted (on a connection, that frame of each of its streams). With interval 0 the
/// window is one frame: the next goes out when the last is answered. The counters are read by the
/// progress line while the run goes on.
/// </summary>
internal sealed class StreamDriver : IDisposable
{
    private readonly int first;                          // the index of the first stream driven
    private readonly int streams;                        // n: streams driven together
    private readonly LoadTestSettings settings;
    private readonly LatencyRecorder recorder;
    private readonly int window;
    private readonly long[] sentAt;                      // [window] Stopwatch timestamp of each unanswered frame, by sequence mod window
    private readonly SemaphoreSlim toReceive = new(0);   // a permit per frame sent, and one when the sender is done
    private readonly SemaphoreSlim windowPlaces;         // places in the window
    private float[] frames = [];                         // [window, n, I] the unanswered frames, by sequence mod window
    private int frameSize;                               // n·I: floats sent at once
    private int sentTotal;                               // frames sent, warm-up included: the next sequence number
    private int firstMeasured = int.MaxValue;            // sequence number of the first measured frame sent
    private int sent, answered, skipped;                 // measured frames only, counted per stream
    private long firstMeasuredAt, lastAnswerAt;

    /// <summary>A driver of streams <paramref name="first"/>..<paramref name="first"/> + <paramref name="streams"/> - 1, all sent together.</summary>
    public StreamDriver(int first, int streams, LoadTestSettings settings, LatencyRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(settings);
        this.first = first;
        this.streams = streams;
        this.settings = settings;
        this.recorder = recorder;
        window = settings.EffectiveWindow;
        sentAt = new long[window];
        windowPlaces = new SemaphoreSlim(window, window);
    }

    /// <summary>Measured frames sent.</summary>
    public int Sent => Volatile.Read(ref sent);

    /// <summary>Measured frames answered.</summary>
    public int Answered => Volatile.Read(ref answered);

    /// <summary>Measured frames skipped because the window was full when they were due.</summary>
    public int Skipped => Volatile.Read(ref skipped);

    /// <summary>Stopwatch timestamp of the first measured send, or 0.</summary>
    public long FirstMeasuredAt => firstMeasuredAt;

    /// <summary>Stopwatch timestamp of the last measured answer, or 0.</summary>
    public long LastAnswerAt => lastAnswerAt;

    /// <summary>
    /// Sends every frame of the stream (of each stream of <paramref name="stream"/>'s connection) and
    /// receives the answers, starting after <paramref name="delay"/> (streams start spread over one
    /// interval, as independent clients do, rather than all at once);
    /// returns when all are answered, the stream ends, or <paramref name="cancellationToken"/> (the
    /// run's timeout) fires.
    /// </summary>
    public async Task RunAsync(LoadStream stream, TimeSpan delay, CancellationToken cancellationToken)
    {
        frameSize = streams * stream.InputSize;
        frames = new float[window * frameSize];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task receiving = ReceiveAllAsync(stream, stop, cancellationToken);
        try
        {
            await SendAllAsync(stream, delay, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Timed out, or the receiver saw the stream end.
        }
        catch (Exception e) when (e is WebSocketException or InvalidOperationException or ObjectDisposedException)
        {
            End(stream, e, cancellationToken);
        }
        finally
        {
            toReceive.Release();
        }

        await receiving;
    }

    private async Task SendAllAsync(LoadStream stream, TimeSpan delay, CancellationToken cancellationToken)
    {
        var random = new Random(unchecked((settings.Seed * 1_000_003) + first));
        int total = settings.FramesPerStream;
        if (settings.IntervalMs == 0)
        {
            for (int k = 0; k < total; k++)
            {
                await windowPlaces.WaitAsync(cancellationToken);
                await SendOneAsync(stream, k, random, cancellationToken);
            }

            return;
        }

        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken);
        }

        long start = Stopwatch.GetTimestamp();
        double ticksPerFrame = settings.IntervalMs * (double)Stopwatch.Frequency / 1000;
        // The timer's clock has millisecond grain and may tick a little before the Stopwatch says a
        // frame is due: a frame due within the next millisecond goes out on this tick, not one later.
        long grain = Stopwatch.Frequency / 1000;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(settings.IntervalMs));
        int next = 0;
        while (true)
        {
            long due = Math.Min(total, (long)((Stopwatch.GetTimestamp() - start + grain) / ticksPerFrame) + 1);
            for (; next < due; next++)
            {
                if (windowPlaces.Wait(TimeSpan.Zero, cancellationToken))
                {
                    await SendOneAsync(stream, next, random, cancellationToken);
                }
                else if (next >= settings.WarmupFrames)
                {
                    Interlocked.Add(ref skipped, streams);
                }
            }

            if (next == total)
            {
                return;
            }

            await timer.WaitForNextTickAsync(cancellationToken);
        }
    }

    private async ValueTask SendOneAsync(LoadStream stream, int k, Random random, CancellationToken cancellationToken)
    {
        int sequence = sentTotal;
        Memory<float> frame = frames.AsMemory(sequence % window * frameSize, frameSize);
        Span<float> values = frame.Span;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (random.NextSingle() * 2) - 1;
        }

        bool measured = k >= settings.WarmupFrames;
        long now = Stopwatch.GetTimestamp();
        if (measured && firstMeasured == int.MaxValue)
        {
            firstMeasuredAt = now;
            Volatile.Write(ref firstMeasured, sequence);
        }

        sentAt[sequence % window] = now;
        ValueTask sending = stream.SendAsync(sequence, frame, cancellationToken);
        Volatile.Write(ref sentTotal, sequence + 1);
        if (measured)
        {
            Volatile.Write(ref sent, sent + streams);
        }

        toReceive.Release();
        await sending;
    }

    public void Dispose()
    {
        toReceive.Dispose();
        windowPlaces.Dispose();
    }

    /// <summary>How a failure ends the stream: after the run's timeout it is the timeout's doing (a batcher disposed under its steps, a socket aborted).</summary>
    private static void End(LoadStream stream, Exception e, CancellationToken run) =>
        stream.EndEarly(run.IsCancellationRequested ? "timeout" : e is WebSocketException ? "aborted" : "failed", e.Message);

    private async Task ReceiveAllAsync(LoadStream stream, CancellationTokenSource stop, CancellationToken run)
    {
        try
        {
            for (int sequence = 0; ; sequence++)
            {
                await toReceive.WaitAsync(stop.Token);
                if (sequence >= Volatile.Read(ref sentTotal))
                {
                    return; // the sender is done and every frame it sent is answered
                }

                if (!await stream.ReceiveAsync(sequence, stop.Token))
                {
                    await stop.CancelAsync();
                    return;
                }

                long now = Stopwatch.GetTimestamp();
                if (sequence >= Volatile.Read(ref firstMeasured))
                {
                    long elapsed = now - sentAt[sequence % window];
                    for (int s = first; s < first + streams; s++)
                    {
                        recorder.Record(s, elapsed);
                    }

                    lastAnswerAt = now;
                    Volatile.Write(ref answered, answered + streams);
                }

                windowPlaces.Release();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Timed out, or the sender failed.
        }
        catch (Exception e) when (e is WebSocketException or InvalidOperationException or ObjectDisposedException)
        {
            End(stream, e, run);
            await stop.CancelAsync();
        }
    }
}

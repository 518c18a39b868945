using System;
using System.Diagnostics;

namespace FastRnn.Serving;

public sealed partial class StreamBatcher
{
    /// <summary>
    /// Runs throwaway batched steps on zero inputs for about <paramref name="duration"/>, so the
    /// JIT has replaced the step's quickly compiled code with optimised code before the first
    /// streams arrive. Call it once at start-up, before taking traffic; about a second is enough.
    /// </summary>
    /// <remarks>
    /// .NET first runs a method as unoptimised code and recompiles it only after it has been called
    /// a number of times and a short delay has passed: without a warm-up the first seconds of traffic
    /// run several times slower (measured in perf-results' serving.md). A Native AOT binary has no
    /// JIT and does not need it. The steps cycle through batches of 1 to 8 rows and
    /// <see cref="StreamBatcherOptions.MaxBatch"/>, so every row-block kernel and the shared-step
    /// path of <see cref="StreamBatcherOptions.Threads"/> are compiled. No stream's state is read or
    /// changed, and the lock is taken one step at a time, so calls made meanwhile are served.
    /// Steps are not counted in the batcher's metrics.
    /// </remarks>
    /// <param name="duration">How long to step; at least one round of batch sizes runs even for zero.</param>
    /// <returns>Throwaway steps run.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative or longer than a minute.</exception>
    /// <exception cref="ObjectDisposedException">The batcher is disposed (checked before the duration).</exception>
    public int WarmUp(TimeSpan duration)
    {
        ThrowIfDisposed();
        if (duration < TimeSpan.Zero || duration > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "Expected a warm-up between 0 and 1 minute; about a second is enough.");
        }

        int smallest = Math.Min(8, maxBatch);
        long began = Stopwatch.GetTimestamp();
        int steps = 0;
        do
        {
            for (int batch = 1; batch <= smallest + 1; batch++)
            {
                lock (gate)
                {
                    ThrowIfDisposed();
                    engine.WarmUpStep(batch > smallest ? maxBatch : batch);
                }

                steps++;
            }
        }
        while (Stopwatch.GetElapsedTime(began) < duration);

        return steps;
    }
}

using System;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FastRnn.Serving;

/// <summary>
/// The batchers' instruments, on the meter "FastRnn.Serving" (shared by every batcher of the
/// process, no tags). Recording is guarded by <c>Enabled</c>, so without a listener it costs a
/// field read, and with one it allocates nothing. The batchers record only through the methods
/// below, which never throw: a listener that fails must not fail a step already applied, nor the
/// loop that serves every stream.
/// </summary>
internal static class ServingMetrics
{
    public static readonly Meter Meter = new("FastRnn.Serving");

    public static readonly Counter<long> Steps = Meter.CreateCounter<long>("fastrnn.serving.steps", "{step}", "Stream steps computed (one per frame).");

    public static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("fastrnn.serving.batch_size", "{stream}", "Streams per batched step.");

    public static readonly Histogram<double> QueueDelay = Meter.CreateHistogram<double>("fastrnn.serving.queue_delay", "s", "Time a StepAsync call waited before its batch started.");

    public static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>("fastrnn.serving.step_duration", "s", "Time of one batched step (gather, step, scatter).");

    public static readonly UpDownCounter<int> OpenStreams = Meter.CreateUpDownCounter<int>("fastrnn.serving.open_streams", "{stream}", "Streams open in all batchers.");

    /// <summary>A batched step of <paramref name="batch"/> streams that began at <paramref name="began"/> (0: not timed).</summary>
    public static void RecordStep(int batch, long began) => Safely(
        static step =>
        {
            Steps.Add(step.Batch);
            if (BatchSize.Enabled)
            {
                BatchSize.Record(step.Batch);
            }

            if (step.Began != 0)
            {
                StepDuration.Record(Stopwatch.GetElapsedTime(step.Began).TotalSeconds);
            }
        },
        (Batch: batch, Began: began));

    /// <summary>How long a step waited before its batch started.</summary>
    public static void RecordQueueDelay(double seconds) => Safely(static s => QueueDelay.Record(s), seconds);

    /// <summary>Streams opened (positive) or freed (negative).</summary>
    public static void AddOpenStreams(int delta) => Safely(static d => OpenStreams.Add(d), delta);

    // One recording, whose listeners' failures are dropped: they are not the step's or the call's.
    // The lambdas are static (cached once), so this allocates nothing.
    private static void Safely<T>(Action<T> record, T value)
    {
        try
        {
            record(value);
        }
#pragma warning disable CA1031 // a listener's failure is not the step's
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}

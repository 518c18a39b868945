using System.Diagnostics.Metrics;

namespace FastRnn.Serving;

/// <summary>
/// The batchers' instruments, on the meter "FastRnn.Serving" (shared by every batcher of the
/// process, no tags). Recording is guarded by <c>Enabled</c>, so without a listener it costs a
/// field read, and with one it allocates nothing.
/// </summary>
internal static class ServingMetrics
{
    public static readonly Meter Meter = new("FastRnn.Serving");

    public static readonly Counter<long> Steps = Meter.CreateCounter<long>("fastrnn.serving.steps", "{step}", "Stream steps computed (one per frame).");

    public static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("fastrnn.serving.batch_size", "{stream}", "Streams per batched step.");

    public static readonly Histogram<double> QueueDelay = Meter.CreateHistogram<double>("fastrnn.serving.queue_delay", "s", "Time a StepAsync call waited before its batch started.");

    public static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>("fastrnn.serving.step_duration", "s", "Time of one batched step (gather, step, scatter).");

    public static readonly UpDownCounter<int> OpenStreams = Meter.CreateUpDownCounter<int>("fastrnn.serving.open_streams", "{stream}", "Streams open in all batchers.");
}

using System;
using System.Diagnostics.Metrics;
using System.Threading;

namespace FastRnn.Cli.LoadTest;

/// <summary>
/// Listens to the batchers' batch-size histogram (meter "FastRnn.Serving", instrument
/// "fastrnn.serving.batch_size") and keeps its sum and count: the mean streams per batched step.
/// The meter is the process's, so every batcher in the process counts; the CLI runs one.
/// </summary>
internal sealed class BatchSizeListener : IDisposable
{
    private const string MeterName = "FastRnn.Serving";
    private const string InstrumentName = "fastrnn.serving.batch_size";

    private readonly MeterListener listener = new();
    private long sum, count;

    public BatchSizeListener()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MeterName && instrument.Name == InstrumentName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, _, _) =>
        {
            Interlocked.Add(ref sum, value);
            Interlocked.Increment(ref count);
        });
        listener.Start();
    }

    /// <summary>Mean streams per batched step so far, or null before the first step.</summary>
    public double? Mean
    {
        get
        {
            long n = Interlocked.Read(ref count);
            return n == 0 ? null : Interlocked.Read(ref sum) / (double)n;
        }
    }

    public void Dispose() => listener.Dispose();
}

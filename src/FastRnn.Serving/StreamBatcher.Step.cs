using System;
using System.Diagnostics;

namespace FastRnn.Serving;

public sealed partial class StreamBatcher
{
    /// <summary>Steps one stream now, on the calling thread.</summary>
    /// <param name="handle">The stream.</param>
    /// <param name="frame">[I] the stream's next input.</param>
    /// <param name="output">[O] receives the top layer's hidden state after the step [H_out], or the head's output [C] with a head (<see cref="OutputSize"/>).</param>
    /// <exception cref="ArgumentException">A length is wrong (the message names expected and actual), or the handle is the default one or was opened by another batcher.</exception>
    /// <exception cref="StreamClosedException">The stream is no longer open (<see cref="StreamExpiredException"/> after an idle timeout).</exception>
    /// <exception cref="InvalidOperationException">The stream has <see cref="StepAsync"/> calls waiting.</exception>
    /// <exception cref="ObjectDisposedException">The batcher is disposed (checked before the arguments).</exception>
    public void Step(StreamHandle handle, ReadOnlySpan<float> frame, Span<float> output) =>
        Step(new ReadOnlySpan<StreamHandle>(in handle), frame, output);

    /// <summary>
    /// Steps the given streams now, on the calling thread, as batched steps of up to
    /// <see cref="StreamBatcherOptions.MaxBatch"/> streams: one frame each. Nothing is stepped if any
    /// handle is refused.
    /// </summary>
    /// <param name="handles">[n] distinct open streams.</param>
    /// <param name="frames">[n, I] their next inputs, row i for handles[i].</param>
    /// <param name="outputs">[n, O] receives each stream's output after its step: the top layer's hidden state [H_out], or the head's output [C] with a head (<see cref="OutputSize"/>).</param>
    /// <exception cref="ArgumentException">A length is wrong, the spans overlap, a handle appears twice, or a handle is the default one or was opened by another batcher.</exception>
    /// <exception cref="StreamClosedException">A stream is no longer open (<see cref="StreamExpiredException"/> after an idle timeout).</exception>
    /// <exception cref="InvalidOperationException">A stream has <see cref="StepAsync"/> calls waiting.</exception>
    /// <exception cref="ObjectDisposedException">The batcher is disposed (checked before the arguments).</exception>
    public void Step(ReadOnlySpan<StreamHandle> handles, ReadOnlySpan<float> frames, Span<float> outputs)
    {
        ThrowIfDisposed();
        int n = handles.Length;
        if (frames.Length != (long)n * inputSize)
        {
            throw new ArgumentException($"Expected frames [{n}, {inputSize}] = {(long)n * inputSize} floats for {n} handle(s), got {frames.Length}.", nameof(frames));
        }

        if (outputs.Length != (long)n * outputSize)
        {
            throw new ArgumentException($"Expected outputs [{n}, {outputSize}] = {(long)n * outputSize} floats for {n} handle(s), got {outputs.Length}.", nameof(outputs));
        }

        if (frames.Overlaps(outputs))
        {
            throw new ArgumentException("outputs overlaps frames; the outputs must not share memory with the frames being read.", nameof(outputs));
        }

        lock (gate)
        {
            ThrowIfDisposed();
            Absorb();
            long now = clock.GetTimestamp();
            int mark = NextMark();
            for (int i = 0; i < n; i++)
            {
                int slot = Find(handles[i], now);
                if (marks[slot] == mark)
                {
                    throw new ArgumentException($"{handles[i]} appears twice (positions {handles.IndexOf(handles[i])} and {i}); a stream takes one step per frame, in order: give its next frame in the next call.", nameof(handles));
                }

                marks[slot] = mark;
                ThrowIfWaiting(handles[i], slot, "a synchronous Step");
            }

            for (int start = 0; start < n; start += maxBatch)
            {
                int count = Math.Min(maxBatch, n - start);
                for (int r = 0; r < count; r++)
                {
                    engine.RowSlots[r] = handles[start + r].Slot;
                }

                ObserveBatch?.Invoke(engine.RowSlots.AsSpan(0, count));
                long began = ServingMetrics.StepDuration.Enabled ? Stopwatch.GetTimestamp() : 0;
                engine.Run(frames.Slice(start * inputSize, count * inputSize), outputs.Slice(start * outputSize, count * outputSize), count);
                ServingMetrics.RecordStep(count, began);
            }

            for (int i = 0; i < n; i++)
            {
                slots.LastUsed[handles[i].Slot] = now;
            }
        }
    }

    /// <summary>A number no slot's mark holds yet, for finding a handle named twice in one call.</summary>
    private int NextMark()
    {
        if (++markNumber == int.MaxValue)
        {
            Array.Clear(marks);
            markNumber = 1;
        }

        return markNumber;
    }
}

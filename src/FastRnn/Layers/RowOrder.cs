using System;
using FastRnn.Cells;

namespace FastRnn.Layers;

/// <summary>
/// The batch's rows reordered by decreasing length, and the moves between the caller's row order
/// and this one, shared by the forward run and training's backward.
/// </summary>
/// <remarks>
/// With rows sorted, the sequences still running at any step are a prefix of the batch, so each
/// step's products and epilogue cover only those rows (short sequences never pay for long ones, and
/// full-length batches pay nothing), and the reverse direction picks each sequence up at its own
/// last step.
/// </remarks>
internal sealed class RowOrder
{
    public RowOrder(int maxBatch, int maxSteps)
    {
        Order = new int[maxBatch];
        SortedLengths = new int[maxBatch];
        ActiveRows = new int[maxSteps];
    }

    public int[] Order { get; }         // [B] sorted position -> caller's row

    public int[] SortedLengths { get; } // [B] lengths in decreasing order

    public int[] ActiveRows { get; }    // [T] rows still running at step t

    /// <summary>Orders rows by decreasing length and counts the rows still running at each step.</summary>
    /// <param name="lengths">[B] valid steps per sequence, or empty for all <paramref name="steps"/>.</param>
    /// <param name="steps">T.</param>
    /// <param name="batch">B.</param>
    public void Sort(ReadOnlySpan<int> lengths, int steps, int batch)
    {
        int[] order = Order, sorted = SortedLengths;
        for (int i = 0; i < batch; i++)
        {
            int length = lengths.IsEmpty ? steps : lengths[i];
            int j = i;
            // Insertion sort, stable and allocation-free; batches are small next to the work per row.
            while (j > 0 && sorted[j - 1] < length)
            {
                sorted[j] = sorted[j - 1];
                order[j] = order[j - 1];
                j--;
            }

            sorted[j] = length;
            order[j] = i;
        }

        int active = batch;
        for (int t = 0; t < steps; t++)
        {
            while (active > 0 && sorted[active - 1] <= t)
            {
                active--;
            }

            ActiveRows[t] = active;
        }
    }

    /// <summary>
    /// Whether every row runs all <paramref name="steps"/> steps after <see cref="Sort"/>: then the sort
    /// (stable) kept the caller's order and no position is padding, so time-major rows need no gather
    /// or scatter.
    /// </summary>
    public bool AllRunEveryStep(int steps, int batch) => SortedLengths[batch - 1] == steps;

    /// <summary>How many of the <paramref name="count"/> sorted rows from <paramref name="first"/> on still run at step <paramref name="t"/> (a prefix of them).</summary>
    public int ActiveIn(int t, int first, int count) => Math.Clamp(ActiveRows[t] - first, 0, count);

    /// <summary>
    /// Copies [T, B, size] (or [B, T, size]) rows into time-major sorted order with row stride
    /// <paramref name="stride"/>; padded positions become zero so that nothing a caller leaves there
    /// (even NaN) reaches any product.
    /// </summary>
    public void Gather(bool batchFirst, ReadOnlySpan<float> source, int size, Span<float> target, int stride, int steps, int batch)
    {
        for (int t = 0; t < steps; t++)
        {
            for (int s = 0; s < batch; s++)
            {
                Span<float> row = target.Slice(((t * batch) + s) * stride, size);
                if (t >= SortedLengths[s])
                {
                    row.Clear();
                    continue;
                }

                int from = Order[s];
                from = batchFirst ? ((from * steps) + t) * size : ((t * batch) + from) * size;
                source.Slice(from, size).CopyTo(row);
            }
        }
    }

    /// <summary>Copies time-major sorted rows (stride <paramref name="stride"/>) back to the caller's [T, B, size] (or [B, T, size]).</summary>
    public void Scatter(bool batchFirst, ReadOnlySpan<float> source, int stride, Span<float> target, int size, int steps, int batch)
    {
        for (int t = 0; t < steps; t++)
        {
            for (int s = 0; s < batch; s++)
            {
                int row = Order[s];
                int to = batchFirst ? ((row * steps) + t) * size : ((t * batch) + row) * size;
                source.Slice(((t * batch) + s) * stride, size).CopyTo(target.Slice(to));
            }
        }
    }

    /// <summary>
    /// Copies one layer-direction's rows of a caller's state (h_0, or the gradient of h_n in
    /// backward) into sorted step state; zeros where the caller gives none.
    /// </summary>
    /// <param name="w">The layer-direction (sizes and strides).</param>
    /// <param name="slot">Layer * D + direction.</param>
    /// <param name="batch">B.</param>
    /// <param name="hidden">[L*D, B, H_out], or empty.</param>
    /// <param name="cell">[L*D, B, H] (LSTM), or empty.</param>
    /// <param name="h">[B, StateStride] step state, overwritten.</param>
    /// <param name="c">[B, Hp] step state, overwritten.</param>
    public void LoadState(CellWeights w, int slot, int batch, ReadOnlySpan<float> hidden, ReadOnlySpan<float> cell, Span<float> h, Span<float> c)
    {
        int stateSize = w.StateSize, hiddenSize = w.HiddenSize;
        h.Clear();
        c.Clear();
        for (int s = 0; s < batch; s++)
        {
            if (!hidden.IsEmpty)
            {
                hidden.Slice(((slot * batch) + Order[s]) * stateSize, stateSize).CopyTo(h.Slice(s * w.StateStride));
            }

            if (!cell.IsEmpty)
            {
                cell.Slice(((slot * batch) + Order[s]) * hiddenSize, hiddenSize).CopyTo(c.Slice(s * w.PaddedUnits));
            }
        }
    }

    /// <summary>
    /// Copies sorted step state back to one layer-direction's rows of a caller's state (h_n, or the
    /// gradient of h_0 in backward); skips what the caller does not ask for.
    /// </summary>
    /// <param name="w">The layer-direction (sizes and strides).</param>
    /// <param name="slot">Layer * D + direction.</param>
    /// <param name="batch">B.</param>
    /// <param name="h">[B, StateStride] step state.</param>
    /// <param name="c">[B, Hp] step state.</param>
    /// <param name="hidden">[L*D, B, H_out], or empty.</param>
    /// <param name="cell">[L*D, B, H] (LSTM), or empty.</param>
    public void StoreState(CellWeights w, int slot, int batch, ReadOnlySpan<float> h, ReadOnlySpan<float> c, Span<float> hidden, Span<float> cell)
    {
        int stateSize = w.StateSize, hiddenSize = w.HiddenSize;
        for (int s = 0; s < batch; s++)
        {
            if (!hidden.IsEmpty)
            {
                h.Slice(s * w.StateStride, stateSize).CopyTo(hidden.Slice(((slot * batch) + Order[s]) * stateSize));
            }

            if (!cell.IsEmpty)
            {
                c.Slice(s * w.PaddedUnits, hiddenSize).CopyTo(cell.Slice(((slot * batch) + Order[s]) * hiddenSize));
            }
        }
    }
}

using System;
using System.Numerics.Tensors;
using FastRnn.Cells;
using FastRnn.Kernels;
using FastRnn.Layers;

namespace FastRnn.Training;

/// <summary>
/// The weight, bias and input gradients of one layer-direction: whole-sequence products of the
/// gate gradients its backward recurrence kept, split among the threads by outputs, so every sum
/// runs over the rows in one fixed order whatever the thread count.
/// </summary>
internal static class WeightGradients
{
    /// <summary>
    /// Part of the whole-sequence products of the current backward: its share of the input
    /// gradient's panels and of every weight gradient's rows (each output summed over all rows in
    /// the same order whatever the thread count).
    /// </summary>
    internal static void Part(TrainingWorkspace ws, int part)
    {
        SequenceRegion r = ws.Runner.Region;
        CellWeights cell = r.Cell;
        BackwardWeights bw = r.Backward!;
        GradientBuffer gradients = ws.Gradients!;
        int rows = r.Steps * r.Batch, slot = r.Slot;
        int stateSize = cell.StateSize, hiddenSize = cell.HiddenSize;
        int ss = cell.StateStride, hp = cell.PaddedUnits, gs = cell.GateStride;
        int inputSize = cell.InputSize;
        int hiddenGateStride = cell.HiddenGateStride;
        GradientStrides strides = ws.Strides[slot];
        int dgs = strides.Gates;
        int dhgs = hiddenGateStride > 0 ? strides.HiddenGates : dgs;
        ReadOnlySpan<float> dGates = ws.GateGradients.Span[..(rows * dgs)];                                        // [T*B, dgs]
        ReadOnlySpan<float> dHidden = hiddenGateStride > 0 ? ws.HiddenGateGradients.Span[..(rows * dhgs)] : dGates; // [T*B, dhgs] GRU: recurrent side apart

        if (r.InputGradient is { } dInput)
        {
            (int p0, int p1) = r.Share(bw.InputT.Panels, part);
            PackedMatMul.MultiplyAddPanels(bw.InputT, p0, p1, dGates, dgs, rows, dInput.Span[..(rows * r.InputGradientStride)], r.InputGradientStride, PanelOrder.Ascending);
        }

        Rows(dGates, dgs, bw.InputColumns, r.Input.Span, inputSize, inputSize, rows, gradients.Values(bw.InputWeightName), r, part);
        float[] whh = gradients.Values(bw.RecurrentWeightName);
        ReadOnlySpan<float> hHistory = ws.HiddenBefore[slot].Span[..(rows * ss)];
        if (cell.ResetBefore)
        {
            int dcs = strides.Candidate;
            Rows(dHidden, dhgs, bw.RecurrentColumns, hHistory, ss, stateSize, rows, whh.AsSpan(0, 2 * hiddenSize * stateSize), r, part);
            Rows(
                ws.CandidateGradients.Span[..(rows * dcs)], dcs, bw.HiddenIdentity, ws.ResetHidden[slot].Span[..(rows * hp)], hp, hiddenSize, rows,
                whh.AsSpan(2 * hiddenSize * stateSize), r, part);
        }
        else
        {
            Rows(dHidden, dhgs, bw.RecurrentColumns, hHistory, ss, stateSize, rows, whh, r, part);
        }

        if (bw.ProjectionT is not null)
        {
            int dss = strides.State;
            Rows(
                ws.StateGradients.Span[..(rows * dss)], dss, bw.StateIdentity, ws.Unprojected[slot].Span[..(rows * hp)], hp, hiddenSize, rows,
                gradients.Values(bw.ProjectionName), r, part);
        }

        if (r.Description.Bias)
        {
            // This part's share of the packed gate columns; each part adds only the bias elements those columns feed.
            (int c0, int c1) = r.Share(gs, part);
            Span<float> sums = ws.ColumnSums.Span[..gs]; // [G*Hp] column sums of δ
            ColumnSums(dGates, dgs, rows, c0, c1, sums);
            AddBias(sums, c0, c1, bw.InputColumns, gradients.Values(bw.InputBiasName));

            // LSTM, RNN and reset-before GRU add b_hh where b_ih goes: the same gradient.
            if (cell.StandardGru)
            {
                ColumnSums(dHidden, dhgs, rows, c0, c1, sums);
            }

            AddBias(sums, c0, c1, bw.InputColumns, gradients.Values(bw.RecurrentBiasName));
        }
    }

    // This part's share of the rows of dW += δᵀ X (the rows of C are independent outputs).
    private static void Rows(ReadOnlySpan<float> a, int lda, int[] columns, ReadOnlySpan<float> b, int ldb, int n, int k, Span<float> c, SequenceRegion r, int part)
    {
        (int m0, int m1) = r.Share(columns.Length, part);
        if (m1 > m0)
        {
            TransposedProduct.Accumulate(a, lda, columns.AsSpan(m0, m1 - m0), b, ldb, n, k, c[(m0 * n)..], n);
        }
    }

    // sums[c] = Σ_rows δ[row, c] for packed columns [c0, c1): rows ascending, whole rows at a time
    // (strided column walks of δ thrash the cache), each sum in the same order whatever the split.
    private static void ColumnSums(ReadOnlySpan<float> dGates, int stride, int rows, int c0, int c1, Span<float> sums)
    {
        Span<float> part = sums[c0..c1];
        part.Clear();
        for (int row = 0; row < rows; row++)
        {
            TensorPrimitives.Add(part, dGates.Slice((row * stride) + c0, c1 - c0), part);
        }
    }

    // bias[i] += sums[columns[i]] for the bias elements whose packed column is in [c0, c1).
    private static void AddBias(ReadOnlySpan<float> sums, int c0, int c1, int[] columns, float[] bias)
    {
        for (int i = 0; i < bias.Length; i++)
        {
            int column = columns[i];
            if (column >= c0 && column < c1)
            {
                bias[i] += sums[column];
            }
        }
    }

    // Peephole gradients from the saved pre-activation gradients and cell states, in one fixed
    // order (rows ascending), so they do not depend on how the recurrence was split:
    // dw_ci = Σ δi ⊙ c_prev, dw_cf = Σ δf ⊙ c_prev, dw_co = Σ δo ⊙ c_new.
    internal static void AccumulatePeepholes(TrainingWorkspace ws, int rows)
    {
        SequenceRegion r = ws.Runner.Region;
        CellWeights cell = r.Cell;
        BackwardWeights bw = r.Backward!;
        GradientBuffer gradients = ws.Gradients!;
        int h = cell.HiddenSize, hp = cell.PaddedUnits, gs = cell.GateStride, dgs = ws.Strides[r.Slot].Gates;
        ReadOnlySpan<float> dGates = ws.GateGradients.Span;
        ReadOnlySpan<float> before = ws.CellBefore[r.Slot].Span;
        ReadOnlySpan<float> after = ws.CellAfter[r.Slot].Span;
        Span<float> sums = ws.ColumnSums.Span[..(3 * h)]; // [3, H] Σ δi c_prev, Σ δf c_prev, Σ δo c_new
        Span<float> si = sums[..h], sf = sums[h..(2 * h)], so = sums[(2 * h)..];
        sums.Clear();
        ReadOnlySpan<int> columns = bw.InputColumns;

        // Row by row (whole rows of δ in cache), each sum over rows ascending.
        for (int row = 0; row < rows; row++)
        {
            ReadOnlySpan<float> d = dGates.Slice(row * dgs, gs);
            ReadOnlySpan<float> c0 = before.Slice(row * hp, h);
            ReadOnlySpan<float> c1 = after.Slice(row * hp, h);
            for (int u = 0; u < h; u++)
            {
                si[u] += d[columns[u]] * c0[u];
                sf[u] += d[columns[h + u]] * c0[u];
                so[u] += d[columns[(3 * h) + u]] * c1[u];
            }
        }

        Span<float> ci = gradients.Values(bw.PeepholeNames[0]).AsSpan(0, h);
        Span<float> cf = gradients.Values(bw.PeepholeNames[1]).AsSpan(0, h);
        Span<float> co = gradients.Values(bw.PeepholeNames[2]).AsSpan(0, h);
        TensorPrimitives.Add(ci, si, ci);
        TensorPrimitives.Add(cf, sf, cf);
        TensorPrimitives.Add(co, so, co);
    }
}

using System;
using FastRnn.Kernels;

namespace FastRnn.Cells;

/// <summary>
/// What backward needs beyond the forward packing of one layer and direction: the transposed
/// weights (multiplied by gradients held in packed gate order) and, for every PyTorch weight row,
/// the packed column its gradient comes from.
/// </summary>
internal sealed class BackwardWeights
{
    private readonly float[] staging; // room for the largest transpose, so repacking allocates nothing

    public BackwardWeights(CellWeights w, Func<string, float[]> weights, int layer, int direction)
    {
        string Name(string kind) => NetworkDescription.ParameterName(kind, layer, direction);
        InputWeightName = Name("weight_ih");
        RecurrentWeightName = Name("weight_hh");
        InputBiasName = Name("bias_ih");
        RecurrentBiasName = Name("bias_hh");
        ProjectionName = Name("weight_hr");
        PeepholeNames = [Name("weight_ci"), Name("weight_cf"), Name("weight_co")];
        InputT = PackedMatrix.PackTransposed(w.Input, weights(Name("weight_ih")));
        ReadOnlySpan<float> whh = weights(Name("weight_hh"));
        int stateSize = w.StateSize;
        if (w.Candidate is not null)
        {
            RecurrentT = PackedMatrix.PackTransposed(w.Recurrent, whh[..(2 * w.HiddenSize * stateSize)]);
            CandidateT = PackedMatrix.PackTransposed(w.Candidate, whh[(2 * w.HiddenSize * stateSize)..]);
        }
        else
        {
            RecurrentT = PackedMatrix.PackTransposed(w.Recurrent, whh);
        }

        if (w.Projection is not null)
        {
            ProjectionT = PackedMatrix.PackTransposed(w.Projection, weights(Name("weight_hr")));
        }

        staging = new float[Math.Max(InputT.Data.Length, Math.Max(RecurrentT.Data.Length, Math.Max(CandidateT?.Data.Length ?? 0, ProjectionT?.Data.Length ?? 0)))];
        InputColumns = Columns(w.Input);
        RecurrentColumns = Columns(w.Recurrent);
        HiddenIdentity = Identity(w.HiddenSize);
        StateIdentity = Identity(stateSize);
    }

    // The state_dict names of this layer and direction, made once so backward builds no strings.
    public string InputWeightName { get; }

    public string RecurrentWeightName { get; }

    public string InputBiasName { get; }

    public string RecurrentBiasName { get; }

    public string ProjectionName { get; }

    public string[] PeepholeNames { get; }

    /// <summary>Refreshes the transposes from the network's current canonical weights, allocating nothing.</summary>
    public void Repack(CellWeights w, Func<string, float[]> weights)
    {
        InputT.RepackTransposed(w.Input, weights(InputWeightName), staging);
        ReadOnlySpan<float> whh = weights(RecurrentWeightName);
        if (CandidateT is not null)
        {
            int split = 2 * w.HiddenSize * w.StateSize;
            RecurrentT.RepackTransposed(w.Recurrent, whh[..split], staging);
            CandidateT.RepackTransposed(w.Candidate!, whh[split..], staging);
        }
        else
        {
            RecurrentT.RepackTransposed(w.Recurrent, whh, staging);
        }

        ProjectionT?.RepackTransposed(w.Projection!, weights(ProjectionName), staging);
    }

    /// <summary>W_ihᵀ: [In, G*Hp].</summary>
    public PackedMatrix InputT { get; }

    /// <summary>W_hhᵀ: [H_out, G*Hp] (reset-before GRU: its r, z rows only, [H, 2*Hp]).</summary>
    public PackedMatrix RecurrentT { get; }

    /// <summary>Reset-before GRU: W_hnᵀ [H, Hn].</summary>
    public PackedMatrix? CandidateT { get; }

    /// <summary>Projection: W_hrᵀ [H, Pp].</summary>
    public PackedMatrix? ProjectionT { get; }

    /// <summary>[G*H] packed column of each W_ih row (and of each bias element).</summary>
    public int[] InputColumns { get; }

    /// <summary>Packed column of each recurrent row (reset-before GRU: [2H] of W_h{r,z}).</summary>
    public int[] RecurrentColumns { get; }

    /// <summary>0..H-1: natural-order columns.</summary>
    public int[] HiddenIdentity { get; }

    /// <summary>0..H_out-1: natural-order columns.</summary>
    public int[] StateIdentity { get; }

    private static int[] Columns(PackedMatrix m)
    {
        int[] columns = new int[m.Rows];
        for (int r = 0; r < columns.Length; r++)
        {
            columns[r] = m.PackedRowOf(r);
        }

        return columns;
    }

    private static int[] Identity(int n)
    {
        int[] columns = new int[n];
        for (int i = 0; i < n; i++)
        {
            columns[i] = i;
        }

        return columns;
    }
}

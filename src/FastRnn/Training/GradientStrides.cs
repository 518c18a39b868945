using FastRnn.Cells;

namespace FastRnn.Training;

/// <summary>
/// The row strides of one layer-direction's rows in the training workspace's gradient buffers:
/// computed once per slot and used to size, clear, write and read them, so no two places can disagree.
/// A buffer the cell does not use has stride 0.
/// </summary>
internal readonly struct GradientStrides
{
    /// <summary>The strides for the rows of <paramref name="w"/>'s gradients (see <see cref="TrainingWorkspace.GradientStride"/>).</summary>
    public GradientStrides(CellWeights w)
    {
        Gates = TrainingWorkspace.GradientStride(w.GateStride);
        HiddenGates = TrainingWorkspace.GradientStride(w.HiddenGateStride);
        Candidate = w.ResetBefore ? TrainingWorkspace.GradientStride(w.PaddedUnits) : 0;
        State = w.Projection is not null ? TrainingWorkspace.GradientStride(w.StateStride) : 0;
    }

    /// <summary>Rows of <c>GateGradients</c>: G*Hp floats used.</summary>
    public int Gates { get; }

    /// <summary>Rows of <c>HiddenGateGradients</c>: HiddenGateStride floats used (GRU), 0 otherwise.</summary>
    public int HiddenGates { get; }

    /// <summary>Rows of <c>CandidateGradients</c>: Hp floats used (reset-before GRU), 0 otherwise.</summary>
    public int Candidate { get; }

    /// <summary>Rows of <c>StateGradients</c>: StateStride floats used (projection), 0 otherwise.</summary>
    public int State { get; }
}

namespace FastRnn.Tests.Reference;

/// <summary>Forward results, row-major: Output [T, B, D*Hout] ([B, T, D*Hout] if BatchFirst),
/// HN [L*D, B, Hout], CN [L*D, B, H] (LSTM only, else null).</summary>
public sealed record ReferenceForwardResult(double[] Output, double[] HN, double[]? CN)
{
    /// <summary>
    /// How much the LSTM projections cancelled: per layer, the largest sum of |W_hr m| terms over the
    /// largest |h| they produced (at least 1), multiplied over the layers. float32 rounding of those terms
    /// is relative to their sum of magnitudes, so the output's relative error can grow by this factor; 1
    /// without projection.
    /// </summary>
    public double ProjectionCancellation { get; init; } = 1.0;

    /// <summary>
    /// The largest |h| or |c| any layer reached at any step: float32 rounds every state relative to the
    /// states it came from, so a tensor much smaller than them (a state that decayed by the last step)
    /// is compared at this scale (<see cref="ReferenceTolerance.RelativeErrorAtScale"/>).
    /// </summary>
    public double StateScale { get; init; }
}

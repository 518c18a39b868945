namespace FastRnn.Tests.Reference;

/// <summary>Forward results, row-major: Output [T, B, D*Hout] ([B, T, D*Hout] if BatchFirst),
/// HN [L*D, B, Hout], CN [L*D, B, H] (LSTM only, else null).</summary>
public sealed record ReferenceForwardResult(double[] Output, double[] HN, double[]? CN)
{
    /// <summary>
    /// The largest |h| or |c| any layer reached at any step: float32 rounds every state relative to the
    /// states it came from, so a tensor much smaller than them (a state that decayed by the last step)
    /// is compared at this scale (<see cref="ReferenceTolerance.RelativeErrorAtScale"/>).
    /// </summary>
    public double StateScale { get; init; }
}

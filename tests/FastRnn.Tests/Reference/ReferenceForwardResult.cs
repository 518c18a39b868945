namespace FastRnn.Tests.Reference;

/// <summary>Forward results, row-major: Output [T, B, D*Hout] ([B, T, D*Hout] if BatchFirst),
/// HN [L*D, B, Hout], CN [L*D, B, H] (LSTM only, else null).</summary>
public sealed record ReferenceForwardResult(double[] Output, double[] HN, double[]? CN);

namespace FastRnn.Tests.Reference;

/// <summary>Cell variant: Peephole is LSTM only, ResetBefore is GRU only.</summary>
public enum ReferenceVariant
{
    Standard,
    Peephole,
    ResetBefore,
}

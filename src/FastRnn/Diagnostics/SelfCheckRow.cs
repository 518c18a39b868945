using FastRnn.Kernels;

namespace FastRnn.Diagnostics;

/// <summary>One check of <see cref="SelfCheck.Run"/>: what ran, where, at which sizes, and how far it was from the reference.</summary>
/// <param name="Operation">The kernel or network checked, e.g. "PackedMatMul gates=4".</param>
/// <param name="Path">The ISA path it ran on.</param>
/// <param name="Sizes">The sizes covered, e.g. "units 1..33, batch 1..5".</param>
/// <param name="MaxError">The largest error measured (relative or absolute, as the operation says); NaN or ∞ when a result was wrong beyond measure.</param>
/// <param name="Allowed">The largest error allowed.</param>
public sealed record SelfCheckRow(string Operation, SimdPath Path, string Sizes, double MaxError, double Allowed)
{
    /// <summary>Whether the error is within the allowance (a NaN error never is).</summary>
    public bool Passed => MaxError <= Allowed;
}

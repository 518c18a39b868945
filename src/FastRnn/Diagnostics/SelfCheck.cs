// The double-precision reference in this folder (DoubleMath, DoubleNetwork, PackedLayout) is a
// second copy of what tests/FastRnn.Tests/Reference/ computes, on purpose. The tests' judge must
// stay independent of production code, so it cannot live in (or be shipped by) the library it
// judges; the self-check, on the other hand, has to ship inside the library so that a user's
// device or a service's health check can run it where no test project exists. Each copy is
// written from the equations, not from the other, so a slip in one shows up against the other.
using System.Collections.Generic;
using FastRnn.Kernels;

namespace FastRnn.Diagnostics;

/// <summary>
/// Checks every kernel (activations, packed float32, bfloat16 and int8 products, one stream's paired product, the transposed product,
/// the fused forward and backward gate epilogues) and every cell kind (forward and backward,
/// stacked, bidirectional, with lengths; one direction also step by step through a streaming session,
/// batched and alone) on this process's active ISA path against a built-in
/// double-precision reference, with the error bounds the library documents. This is what
/// <c>fastrnn selftest</c> runs; a service can run it as a start-up or health check.
/// </summary>
public static class SelfCheck
{
    /// <summary>
    /// Runs every check on <see cref="Isa.Active"/> and returns the report. It takes about a second
    /// on one core and allocates its own data (it is not meant for a hot path); it touches no shared
    /// state, so it may run while networks are in use on other threads.
    /// </summary>
    /// <returns>One row per check, in order: kernels, epilogues, whole networks.</returns>
    public static SelfCheckReport Run()
    {
        var rows = new List<SelfCheckRow>();
        ActivationCheck.Run(rows);
        OnnxActivationCheck.Run(rows);
        MatMulCheck.Run(rows);
        RowPairProductCheck.Run(rows);
        Int8MatMulCheck.Run(rows);
        TransposedProductCheck.Run(rows);
        ForwardEpilogueCheck.Run(rows);
        BackwardEpilogueCheck.Run(rows);
        NetworkCheck.Run(rows);
        return new SelfCheckReport(Isa.Active, rows);
    }
}

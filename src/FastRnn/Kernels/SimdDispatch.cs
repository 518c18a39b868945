using System.Runtime.Intrinsics;

namespace FastRnn.Kernels;

/// <summary>
/// An operation written once over the width abstraction: a <c>ref struct</c> that carries its spans
/// and sizes, whose <see cref="Run{TOps, TVec}"/> is the loop. <see cref="SimdDispatch"/> instantiates
/// it per path, and since the ops and the kernel are value types the JIT compiles each path on its own,
/// with every <c>TOps</c> call a single instruction, as if the loop had been written per path.
/// </summary>
internal interface ISimdKernel
{
    /// <summary>The operation on one path.</summary>
    void Run<TOps, TVec>()
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct;
}

/// <summary>
/// A kernel that applies the cell's activation functions, generic over them as well (see
/// <see cref="ICellFunctions{TVec}"/>): the standard sets compile to direct sigmoid/tanh/relu code.
/// Its <see cref="ISimdKernel.Run{TOps, TVec}"/> hands itself to <see cref="SimdDispatch.Run{TOps, TVec, TKernel}"/>.
/// </summary>
internal interface ICellKernel : ISimdKernel
{
    /// <summary>The operation on one path with one function set.</summary>
    void Run<TOps, TVec, TFun>(TFun functions)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        where TFun : struct, ICellFunctions<TVec>;
}

/// <summary>The one place that turns a <see cref="SimdPath"/> into the type arguments of a kernel.</summary>
internal static class SimdDispatch
{
    /// <summary>
    /// Runs <paramref name="kernel"/> on <see cref="Isa.Active"/>: a constant in tier-1 code, so the
    /// JIT reduces the path switch to the one call of the active path.
    /// </summary>
    public static void Run<TKernel>(ref TKernel kernel)
        where TKernel : ISimdKernel, allows ref struct
        => Run(Isa.Active, ref kernel);

    /// <summary>Runs <paramref name="kernel"/> on an explicit path (tests and self-checks run every path the CPU has).</summary>
    public static void Run<TKernel>(SimdPath path, ref TKernel kernel)
        where TKernel : ISimdKernel, allows ref struct
    {
        switch (path)
        {
            case SimdPath.Vector512:
                kernel.Run<Vector512Ops, Vector512<float>>();
                break;
            case SimdPath.Vector256:
                kernel.Run<Vector256Ops, Vector256<float>>();
                break;
            case SimdPath.Vector128:
                kernel.Run<Vector128Ops, Vector128<float>>();
                break;
            default:
                kernel.Run<ScalarOps, float>();
                break;
        }
    }

    /// <summary>
    /// Runs a cell kernel on the path TOps with the function set <paramref name="options"/> names, once per
    /// call: the fast sets are struct type arguments with nothing to read, the configured one carries its functions.
    /// </summary>
    public static void Run<TOps, TVec, TKernel>(ref TKernel kernel, EpilogueOptions options)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        where TKernel : ICellKernel, allows ref struct
    {
        switch (options.FunctionSet)
        {
            case CellFunctionSet.Standard:
                kernel.Run<TOps, TVec, StandardCellFunctions<TOps, TVec>>(default);
                break;
            case CellFunctionSet.ReluCandidate:
                kernel.Run<TOps, TVec, ReluCandidateFunctions<TOps, TVec>>(default);
                break;
            default:
                kernel.Run<TOps, TVec, ConfiguredCellFunctions<TOps, TVec>>(new ConfiguredCellFunctions<TOps, TVec>(options.Functions!));
                break;
        }
    }
}

using System.Runtime.CompilerServices;
using FastRnn.Kernels;

namespace FastRnn.Benchmarks.Shared;

/// <summary>
/// The loop that measures a core's multiply-add peak, shared (as a linked source file) by the kernel
/// suite and the peer suite: <see cref="Chains"/> independent accumulator chains (more than FMA
/// latency × FMA pipes, so the FMA units never wait), each doing acc = acc · m + c with the same
/// <c>ISimdOps.MultiplyAdd</c> the matrix kernels use (a fused FMA where the path has one, a
/// multiply and an add where it has not). One operation is one vector multiply-add, 2 flops per lane.
/// </summary>
internal static class FmaChains
{
    /// <summary>Independent chains: 12 vectors fit the 16-register files of AVX2/SSE with room for m and c.</summary>
    public const int Chains = 12;

    /// <summary>Loop trips per call.</summary>
    public const int Iterations = 4096;

    /// <summary>Operations per call: pass as BenchmarkDotNet's OperationsPerInvoke.</summary>
    public const int Operations = Chains * Iterations;

    /// <summary>Runs the chains on the active path.</summary>
    public static float Run() => Isa.Active switch
    {
        SimdPath.Vector512 => Run<Vector512Ops, System.Runtime.Intrinsics.Vector512<float>>(),
        SimdPath.Vector256 => Run<Vector256Ops, System.Runtime.Intrinsics.Vector256<float>>(),
        SimdPath.Vector128 => Run<Vector128Ops, System.Runtime.Intrinsics.Vector128<float>>(),
        _ => Run<ScalarOps, float>(),
    };

    // acc converges to c / (1 - m) = 1: no overflow, no subnormals, whatever the iteration count.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Run<TOps, TVec>()
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        TVec m = TOps.Broadcast(0.999f);
        TVec c = TOps.Broadcast(0.001f);
        TVec a0 = TOps.Broadcast(0.5f), a1 = TOps.Broadcast(0.51f), a2 = TOps.Broadcast(0.52f), a3 = TOps.Broadcast(0.53f);
        TVec a4 = TOps.Broadcast(0.54f), a5 = TOps.Broadcast(0.55f), a6 = TOps.Broadcast(0.56f), a7 = TOps.Broadcast(0.57f);
        TVec a8 = TOps.Broadcast(0.58f), a9 = TOps.Broadcast(0.59f), a10 = TOps.Broadcast(0.60f), a11 = TOps.Broadcast(0.61f);
        for (int i = 0; i < Iterations; i++)
        {
            a0 = TOps.MultiplyAdd(a0, m, c);
            a1 = TOps.MultiplyAdd(a1, m, c);
            a2 = TOps.MultiplyAdd(a2, m, c);
            a3 = TOps.MultiplyAdd(a3, m, c);
            a4 = TOps.MultiplyAdd(a4, m, c);
            a5 = TOps.MultiplyAdd(a5, m, c);
            a6 = TOps.MultiplyAdd(a6, m, c);
            a7 = TOps.MultiplyAdd(a7, m, c);
            a8 = TOps.MultiplyAdd(a8, m, c);
            a9 = TOps.MultiplyAdd(a9, m, c);
            a10 = TOps.MultiplyAdd(a10, m, c);
            a11 = TOps.MultiplyAdd(a11, m, c);
        }

        TVec sum = TOps.Add(
            TOps.Add(TOps.Add(TOps.Add(a0, a1), TOps.Add(a2, a3)), TOps.Add(TOps.Add(a4, a5), TOps.Add(a6, a7))),
            TOps.Add(TOps.Add(a8, a9), TOps.Add(a10, a11)));
        return Unsafe.As<TVec, float>(ref sum);
    }
}

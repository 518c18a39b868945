using System.Runtime.CompilerServices;
using FastRnn.Networks;

namespace FastRnn.Kernels;

/// <summary>
/// One activation function chosen at run time, with α and β broadcast once: what the epilogues
/// apply for ONNX activations. Default networks never reach it (see <see cref="StandardCellFunctions{TOps, TVec}"/>).
/// </summary>
internal readonly struct VectorActivation<TOps, TVec>
    where TOps : struct, ISimdOps<TVec>
    where TVec : struct
{
    private readonly ActivationFunction function;
    private readonly TVec alpha;
    private readonly TVec beta;

    /// <summary>Prepares <paramref name="activation"/> for this path.</summary>
    public VectorActivation(Activation activation)
    {
        function = activation.Function;
        alpha = TOps.Broadcast(activation.Alpha);
        beta = TOps.Broadcast(activation.Beta);
    }

    /// <summary>The function applied to every lane.</summary>
    /// <remarks>
    /// Its own JIT root, not inlined: with every function's body inlined at each of an epilogue's
    /// call sites, the epilogue grew to ~10 KB of machine code and ran an LSTM H64 step at 3.4 µs
    /// instead of 1.6 µs (BenchmarkDotNet, Zen 4); one call per vector costs far less.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public TVec Apply(TVec x) => function switch
    {
        ActivationFunction.Sigmoid => ActivationMath.Sigmoid<TOps, TVec>(x),
        ActivationFunction.Tanh => ActivationMath.Tanh<TOps, TVec>(x),
        ActivationFunction.Relu => ActivationMath.Relu<TOps, TVec>(x),
        ActivationFunction.Affine => OnnxActivationMath.Affine<TOps, TVec>(x, alpha, beta),
        ActivationFunction.LeakyRelu => OnnxActivationMath.LeakyRelu<TOps, TVec>(x, alpha),
        ActivationFunction.ThresholdedRelu => OnnxActivationMath.ThresholdedRelu<TOps, TVec>(x, alpha),
        ActivationFunction.ScaledTanh => OnnxActivationMath.ScaledTanh<TOps, TVec>(x, alpha, beta),
        ActivationFunction.HardSigmoid => OnnxActivationMath.HardSigmoid<TOps, TVec>(x, alpha, beta),
        ActivationFunction.Elu => OnnxActivationMath.Elu<TOps, TVec>(x, alpha),
        ActivationFunction.Softsign => OnnxActivationMath.Softsign<TOps, TVec>(x),
        _ => OnnxActivationMath.Softplus<TOps, TVec>(x),
    };
}

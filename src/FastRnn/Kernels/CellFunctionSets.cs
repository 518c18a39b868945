using System.Runtime.CompilerServices;
using FastRnn.Networks;

namespace FastRnn.Kernels;

/// <summary>PyTorch's functions: sigmoid gates, tanh candidate and cell output.</summary>
internal readonly struct StandardCellFunctions<TOps, TVec> : ICellFunctions<TVec>
    where TOps : struct, ISimdOps<TVec>
    where TVec : struct
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Gate(TVec x) => ActivationMath.Sigmoid<TOps, TVec>(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Candidate(TVec x) => ActivationMath.Tanh<TOps, TVec>(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec CellOutput(TVec x) => ActivationMath.Tanh<TOps, TVec>(x);
}

/// <summary>The vanilla RNN with relu (PyTorch's RNN_RELU).</summary>
internal readonly struct ReluCandidateFunctions<TOps, TVec> : ICellFunctions<TVec>
    where TOps : struct, ISimdOps<TVec>
    where TVec : struct
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Gate(TVec x) => ActivationMath.Sigmoid<TOps, TVec>(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Candidate(TVec x) => ActivationMath.Relu<TOps, TVec>(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec CellOutput(TVec x) => ActivationMath.Tanh<TOps, TVec>(x);
}

/// <summary>Functions chosen at run time (ONNX's activations attribute).</summary>
internal readonly struct ConfiguredCellFunctions<TOps, TVec> : ICellFunctions<TVec>
    where TOps : struct, ISimdOps<TVec>
    where TVec : struct
{
    private readonly VectorActivation<TOps, TVec> gate;
    private readonly VectorActivation<TOps, TVec> candidate;
    private readonly VectorActivation<TOps, TVec> cellOutput;

    /// <summary>Prepares <paramref name="functions"/> for this path.</summary>
    public ConfiguredCellFunctions(CellActivations functions)
    {
        gate = new VectorActivation<TOps, TVec>(functions.Gate);
        candidate = new VectorActivation<TOps, TVec>(functions.Candidate);
        cellOutput = new VectorActivation<TOps, TVec>(functions.CellOutput);
    }

    /// <inheritdoc/>
    public TVec Gate(TVec x) => gate.Apply(x);

    /// <inheritdoc/>
    public TVec Candidate(TVec x) => candidate.Apply(x);

    /// <inheritdoc/>
    public TVec CellOutput(TVec x) => cellOutput.Apply(x);
}

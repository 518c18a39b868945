using System;
using FastRnn.Networks;

namespace FastRnn.Kernels;

/// <summary>Which <see cref="ICellFunctions{TVec}"/> an epilogue compiles for (the structs of CellFunctionSets.cs).</summary>
internal enum CellFunctionSet
{
    /// <summary>Sigmoid gates, tanh candidate and cell output: <see cref="StandardCellFunctions{TOps, TVec}"/>.</summary>
    Standard,

    /// <summary>The same with a relu candidate (PyTorch's RNN_RELU): <see cref="ReluCandidateFunctions{TOps, TVec}"/>.</summary>
    ReluCandidate,

    /// <summary>Any other ONNX functions, chosen per call: <see cref="ConfiguredCellFunctions{TOps, TVec}"/>.</summary>
    Configured,
}

/// <summary>
/// What a layer direction's epilogues compute besides PyTorch's standard cell: the ONNX options and
/// the activation functions (for a vanilla RNN, tanh or relu). Built once per layer direction and
/// passed by reference to every forward and backward epilogue, so a call allocates nothing.
/// </summary>
internal sealed class EpilogueOptions
{
    /// <summary>
    /// Takes the options; <paramref name="functions"/> equal to sigmoid/tanh/tanh counts as standard,
    /// so networks that spell out PyTorch's functions run the fast sets too (bit for bit the same results).
    /// </summary>
    /// <param name="clip">ONNX cell clip: every pre-activation bounded to [-clip, clip]; +Inf for none.</param>
    /// <param name="coupledInputForget">ONNX <c>input_forget</c> (LSTM): f = 1 − i instead of its own gate.</param>
    /// <param name="functions">The activation functions; null for the standard ones (sigmoid gates, tanh elsewhere).</param>
    public EpilogueOptions(float clip, bool coupledInputForget, CellActivations? functions)
    {
        Clip = clip;
        CoupledInputForget = coupledInputForget;
        Functions = functions == CellActivations.Standard ? null : functions;
        FunctionSet = Functions switch
        {
            null => CellFunctionSet.Standard,
            { Gate.Function: ActivationFunction.Sigmoid, Candidate.Function: ActivationFunction.Relu, CellOutput.Function: ActivationFunction.Tanh } =>
                CellFunctionSet.ReluCandidate,
            _ => CellFunctionSet.Configured,
        };
    }

    /// <summary>PyTorch's LSTM, GRU and tanh RNN.</summary>
    public static EpilogueOptions Standard { get; } = new(float.PositiveInfinity, false, null);

    /// <summary>PyTorch's relu RNN.</summary>
    public static EpilogueOptions Relu { get; } = new(float.PositiveInfinity, false, CellActivations.Rnn(Activation.Relu));

    /// <summary>ONNX cell clip of the pre-activations; +Inf for none.</summary>
    public float Clip { get; }

    /// <summary>ONNX <c>input_forget</c>: the LSTM forget gate is 1 − i.</summary>
    public bool CoupledInputForget { get; }

    /// <summary>The activation functions, or null for the standard ones.</summary>
    public CellActivations? Functions { get; }

    /// <summary>The function set the epilogues compile for.</summary>
    public CellFunctionSet FunctionSet { get; }

    /// <summary>
    /// Throws unless the backward epilogues compute these cells' gradients: no clip, no coupled gates and the
    /// standard functions (the relu candidate too where <paramref name="reluCandidate"/>: the vanilla RNN's).
    /// Training rejects other networks up front, so this only guards the kernels.
    /// </summary>
    /// <param name="reluCandidate">Whether the caller's backward also handles <see cref="CellFunctionSet.ReluCandidate"/>.</param>
    public void RequireBackward(bool reluCandidate)
    {
        bool functions = FunctionSet == CellFunctionSet.Standard || (reluCandidate && FunctionSet == CellFunctionSet.ReluCandidate);
        if (!functions || !float.IsPositiveInfinity(Clip) || CoupledInputForget)
        {
            throw new NotSupportedException("The backward epilogues compute no gradients through the ONNX clip, coupled gates or other activation functions.");
        }
    }
}

using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FastRnn.Networks;

namespace FastRnn.Kernels;

/// <summary>Nonlinearity of a vanilla RNN.</summary>
internal enum RnnActivation
{
    Tanh,
    Relu,
}

/// <summary>The vanilla RNN step after the matrix products: h' = act(W_ih x + W_hh h + b).</summary>
internal static class RnnEpilogue
{
    /// <summary>Runs the epilogue for <paramref name="batch"/> rows.</summary>
    /// <param name="preactivation">[batch, stride] W_ih x + W_hh h in natural order.</param>
    /// <param name="stride">Row stride of preactivation and hNew (a multiple of the vector width).</param>
    /// <param name="bias">[stride] b_ih + b_hh, or empty.</param>
    /// <param name="hNew">[batch, stride] the new state (may be the same memory as the pre-activation).</param>
    /// <param name="batch">Rows.</param>
    /// <param name="activation">tanh or relu.</param>
    /// <param name="clip">ONNX cell clip: the pre-activation bounded to [-clip, clip]; +Inf for none.</param>
    /// <param name="functions">ONNX activation functions; null for the standard ones (sigmoid gates, tanh elsewhere).</param>
    public static void Forward(ReadOnlySpan<float> preactivation, int stride, ReadOnlySpan<float> bias, Span<float> hNew, int batch, RnnActivation activation, float clip = float.PositiveInfinity, CellActivations? functions = null)
    {
        if (stride % Isa.FloatsPerVector != 0 || preactivation.Length < batch * stride || hNew.Length < batch * stride || (bias.Length != 0 && bias.Length < stride))
        {
            throw new ArgumentException($"RNN epilogue expects pre-activations and states [{batch}, {stride}] and bias [{stride}] or none.");
        }

        switch (Isa.Active)
        {
            case SimdPath.Vector512:
                Run<Vector512Ops, Vector512<float>>(preactivation, stride, bias, hNew, batch, activation, clip, functions);
                break;
            case SimdPath.Vector256:
                Run<Vector256Ops, Vector256<float>>(preactivation, stride, bias, hNew, batch, activation, clip, functions);
                break;
            case SimdPath.Vector128:
                Run<Vector128Ops, Vector128<float>>(preactivation, stride, bias, hNew, batch, activation, clip, functions);
                break;
            default:
                Run<ScalarOps, float>(preactivation, stride, bias, hNew, batch, activation, clip, functions);
                break;
        }
    }

    private static void Run<TOps, TVec>(ReadOnlySpan<float> preactivation, int stride, ReadOnlySpan<float> bias, Span<float> hNew, int batch, RnnActivation activation, float clip, CellActivations? functions)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        if (functions is not null)
        {
            Run<TOps, TVec, ConfiguredCellFunctions<TOps, TVec>>(preactivation, stride, bias, hNew, batch, clip, new ConfiguredCellFunctions<TOps, TVec>(functions));
        }
        else if (activation == RnnActivation.Relu)
        {
            Run<TOps, TVec, ReluCandidateFunctions<TOps, TVec>>(preactivation, stride, bias, hNew, batch, clip, default);
        }
        else
        {
            Run<TOps, TVec, StandardCellFunctions<TOps, TVec>>(preactivation, stride, bias, hNew, batch, clip, default);
        }
    }

    private static void Run<TOps, TVec, TFun>(ReadOnlySpan<float> preactivation, int stride, ReadOnlySpan<float> bias, Span<float> hNew, int batch, float clip, TFun fun)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        where TFun : struct, ICellFunctions<TVec>
    {
        int n = TOps.Count;
        var limit = new PreActivationClip<TOps, TVec>(clip);
        bool hasBias = !bias.IsEmpty;
        ref float bBase = ref MemoryMarshal.GetReference(bias);
        for (int b = 0; b < batch; b++)
        {
            ref float pre = ref MemoryMarshal.GetReference(preactivation.Slice(b * stride));
            ref float h = ref MemoryMarshal.GetReference(hNew.Slice(b * stride));
            for (int u = 0; u < stride; u += n)
            {
                TVec a = TOps.Load(ref Unsafe.Add(ref pre, u));
                if (hasBias)
                {
                    a = TOps.Add(a, TOps.Load(ref Unsafe.Add(ref bBase, u)));
                }

                if (limit.Enabled)
                {
                    a = limit.Apply(a);
                }

                a = fun.Candidate(a);
                TOps.Store(a, ref Unsafe.Add(ref h, u));
            }
        }
    }
}

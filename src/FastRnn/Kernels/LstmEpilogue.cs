using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FastRnn.Networks;

namespace FastRnn.Kernels;

/// <summary>
/// The LSTM step after the matrix products, in one pass over interleaved gate rows:
/// bias add, peepholes, i/f/o sigmoid, g tanh, c' = f*c + i*g, h' = o * tanh(c'); and, for ONNX
/// imports only, the cell clip and coupled input/forget gates.
/// </summary>
internal static class LstmEpilogue
{
    /// <summary>Runs the epilogue for <paramref name="batch"/> rows.</summary>
    /// <param name="gates">[batch, 4*Hp] pre-activations in packed order (per panel: i, f, g, o); overwritten with the activated gates, which backward reads.</param>
    /// <param name="bias">[4*Hp] b_ih + b_hh in packed order, or empty for no bias.</param>
    /// <param name="peephole">[3*Hp] w_ci, w_cf, w_co in natural order, or empty.</param>
    /// <param name="cPrev">[batch, Hp] previous cell state.</param>
    /// <param name="cNew">[batch, Hp] new cell state (may be the same memory as cPrev).</param>
    /// <param name="hNew">[batch, Hp] o * tanh(c').</param>
    /// <param name="batch">Rows.</param>
    /// <param name="paddedUnits">Hp: hidden units padded to whole vectors of the active path.</param>
    /// <param name="clip">ONNX cell clip: every pre-activation (bias and peephole included) bounded to [-clip, clip]; +Inf for none.</param>
    /// <param name="coupledInputForget">ONNX <c>input_forget</c>: f = 1 − i instead of its own gate.</param>
    /// <param name="functions">ONNX activation functions; null for the standard ones (sigmoid gates, tanh elsewhere).</param>
    public static void Forward(Span<float> gates, ReadOnlySpan<float> bias, ReadOnlySpan<float> peephole, ReadOnlySpan<float> cPrev, Span<float> cNew, Span<float> hNew, int batch, int paddedUnits,
        float clip = float.PositiveInfinity, bool coupledInputForget = false, CellActivations? functions = null)
    {
        int hp = paddedUnits;
        if (hp % Isa.FloatsPerVector != 0 || gates.Length < batch * 4 * hp || cPrev.Length < batch * hp || cNew.Length < batch * hp || hNew.Length < batch * hp
            || (bias.Length != 0 && bias.Length < 4 * hp) || (peephole.Length != 0 && peephole.Length < 3 * hp))
        {
            throw new ArgumentException($"LSTM epilogue expects gates [{batch}, {4 * hp}], states [{batch}, {hp}], bias [{4 * hp}] or none, peephole [{3 * hp}] or none.");
        }

        switch (Isa.Active)
        {
            case SimdPath.Vector512:
                Run<Vector512Ops, Vector512<float>>(gates, bias, peephole, cPrev, cNew, hNew, batch, hp, clip, coupledInputForget, functions);
                break;
            case SimdPath.Vector256:
                Run<Vector256Ops, Vector256<float>>(gates, bias, peephole, cPrev, cNew, hNew, batch, hp, clip, coupledInputForget, functions);
                break;
            case SimdPath.Vector128:
                Run<Vector128Ops, Vector128<float>>(gates, bias, peephole, cPrev, cNew, hNew, batch, hp, clip, coupledInputForget, functions);
                break;
            default:
                Run<ScalarOps, float>(gates, bias, peephole, cPrev, cNew, hNew, batch, hp, clip, coupledInputForget, functions);
                break;
        }
    }

    private static void Run<TOps, TVec>(Span<float> gates, ReadOnlySpan<float> bias, ReadOnlySpan<float> peephole, ReadOnlySpan<float> cPrev, Span<float> cNew, Span<float> hNew, int batch, int hp,
        float clip, bool coupled, CellActivations? functions)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        if (functions is null)
        {
            Run<TOps, TVec, StandardCellFunctions<TOps, TVec>>(gates, bias, peephole, cPrev, cNew, hNew, batch, hp, clip, coupled, default);
        }
        else
        {
            Run<TOps, TVec, ConfiguredCellFunctions<TOps, TVec>>(gates, bias, peephole, cPrev, cNew, hNew, batch, hp, clip, coupled, new ConfiguredCellFunctions<TOps, TVec>(functions));
        }
    }

    private static void Run<TOps, TVec, TFun>(Span<float> gates, ReadOnlySpan<float> bias, ReadOnlySpan<float> peephole, ReadOnlySpan<float> cPrev, Span<float> cNew, Span<float> hNew, int batch, int hp,
        float clip, bool coupled, TFun fun)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        where TFun : struct, ICellFunctions<TVec>
    {
        int n = TOps.Count;
        var limit = new PreActivationClip<TOps, TVec>(clip);
        TVec one = TOps.Broadcast(1f);
        bool hasBias = !bias.IsEmpty;
        bool hasPeephole = !peephole.IsEmpty;
        ref float bBase = ref MemoryMarshal.GetReference(bias);
        ref float pBase = ref MemoryMarshal.GetReference(peephole);
        for (int b = 0; b < batch; b++)
        {
            ref float g = ref MemoryMarshal.GetReference(gates.Slice(b * 4 * hp));
            ref float cp = ref MemoryMarshal.GetReference(cPrev.Slice(b * hp));
            ref float cn = ref MemoryMarshal.GetReference(cNew.Slice(b * hp));
            ref float hn = ref MemoryMarshal.GetReference(hNew.Slice(b * hp));
            for (int u = 0; u < hp; u += n)
            {
                int at = 4 * u;
                TVec i = TOps.Load(ref Unsafe.Add(ref g, at));
                TVec f = TOps.Load(ref Unsafe.Add(ref g, at + n));
                TVec z = TOps.Load(ref Unsafe.Add(ref g, at + (2 * n)));
                TVec o = TOps.Load(ref Unsafe.Add(ref g, at + (3 * n)));
                if (hasBias)
                {
                    i = TOps.Add(i, TOps.Load(ref Unsafe.Add(ref bBase, at)));
                    f = TOps.Add(f, TOps.Load(ref Unsafe.Add(ref bBase, at + n)));
                    z = TOps.Add(z, TOps.Load(ref Unsafe.Add(ref bBase, at + (2 * n))));
                    o = TOps.Add(o, TOps.Load(ref Unsafe.Add(ref bBase, at + (3 * n))));
                }

                TVec c = TOps.Load(ref Unsafe.Add(ref cp, u));
                if (hasPeephole)
                {
                    i = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref pBase, u)), c, i);
                    f = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref pBase, hp + u)), c, f);
                }

                if (limit.Enabled)
                {
                    i = limit.Apply(i);
                    f = limit.Apply(f);
                    z = limit.Apply(z);
                }

                i = fun.Gate(i);
                f = coupled ? TOps.Subtract(one, i) : fun.Gate(f);
                z = fun.Candidate(z);
                TVec c2 = TOps.MultiplyAdd(f, c, TOps.Multiply(i, z));
                if (hasPeephole)
                {
                    o = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref pBase, (2 * hp) + u)), c2, o);
                }

                if (limit.Enabled)
                {
                    o = limit.Apply(o);
                }

                o = fun.Gate(o);
                TOps.Store(i, ref Unsafe.Add(ref g, at));
                TOps.Store(f, ref Unsafe.Add(ref g, at + n));
                TOps.Store(z, ref Unsafe.Add(ref g, at + (2 * n)));
                TOps.Store(o, ref Unsafe.Add(ref g, at + (3 * n)));
                TOps.Store(c2, ref Unsafe.Add(ref cn, u));
                TOps.Store(TOps.Multiply(o, fun.CellOutput(c2)), ref Unsafe.Add(ref hn, u));
            }
        }
    }
}

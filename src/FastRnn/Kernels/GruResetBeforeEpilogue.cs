using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FastRnn.Networks;

namespace FastRnn.Kernels;

/// <summary>
/// The reset-before GRU step (Cho 2014, Keras reset_after=False), whose candidate needs r before
/// its recurrent product: n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn). It runs in two passes
/// around that product: <see cref="Gates"/> makes r, z and r ⊙ h; <see cref="State"/> makes n and h'.
/// </summary>
internal static class GruResetBeforeEpilogue
{
    /// <summary>First pass: r, z and r ⊙ h.</summary>
    /// <param name="inputGates">[batch, 3*Hp] W_ih x in packed order (per panel r, z, n); r and z slots overwritten with the activated gates.</param>
    /// <param name="hiddenGates">[batch, 2*Hp] W_h{r,z} h in packed order (per panel r, z).</param>
    /// <param name="inputBias">[3*Hp] b_ih packed (r, z, n), or empty.</param>
    /// <param name="hiddenBias">[3*Hp] b_hh packed (r, z, n), or empty.</param>
    /// <param name="hPrev">[batch, Hp] previous hidden state.</param>
    /// <param name="resetHidden">[batch, Hp] r ⊙ h, the input of the W_hn product.</param>
    /// <param name="batch">Rows.</param>
    /// <param name="paddedUnits">Hp.</param>
    /// <param name="clip">ONNX cell clip: the r and z pre-activations bounded to [-clip, clip]; +Inf for none.</param>
    /// <param name="functions">ONNX activation functions; null for the standard ones (sigmoid gates, tanh elsewhere).</param>
    public static void Gates(Span<float> inputGates, ReadOnlySpan<float> hiddenGates, ReadOnlySpan<float> inputBias, ReadOnlySpan<float> hiddenBias, ReadOnlySpan<float> hPrev, Span<float> resetHidden, int batch, int paddedUnits,
        float clip = float.PositiveInfinity, CellActivations? functions = null)
    {
        int hp = paddedUnits;
        Validate(inputGates.Length, batch, hp, inputBias.Length, hiddenBias.Length);
        if (hiddenGates.Length < batch * 2 * hp || hPrev.Length < batch * hp || resetHidden.Length < batch * hp)
        {
            throw new ArgumentException($"Reset-before GRU expects hidden gates [{batch}, {2 * hp}] and states [{batch}, {hp}].");
        }

        switch (Isa.Active)
        {
            case SimdPath.Vector512:
                GatesRun<Vector512Ops, Vector512<float>>(inputGates, hiddenGates, inputBias, hiddenBias, hPrev, resetHidden, batch, hp, clip, functions);
                break;
            case SimdPath.Vector256:
                GatesRun<Vector256Ops, Vector256<float>>(inputGates, hiddenGates, inputBias, hiddenBias, hPrev, resetHidden, batch, hp, clip, functions);
                break;
            case SimdPath.Vector128:
                GatesRun<Vector128Ops, Vector128<float>>(inputGates, hiddenGates, inputBias, hiddenBias, hPrev, resetHidden, batch, hp, clip, functions);
                break;
            default:
                GatesRun<ScalarOps, float>(inputGates, hiddenGates, inputBias, hiddenBias, hPrev, resetHidden, batch, hp, clip, functions);
                break;
        }
    }

    /// <summary>Second pass: n and h'.</summary>
    /// <param name="inputGates">[batch, 3*Hp] from <see cref="Gates"/>; the n slot is overwritten with the activated candidate.</param>
    /// <param name="candidateHidden">[batch, hStride] W_hn (r ⊙ h) in natural order.</param>
    /// <param name="candidateStride">Row stride of <paramref name="candidateHidden"/>.</param>
    /// <param name="inputBias">[3*Hp] b_ih packed, or empty.</param>
    /// <param name="hiddenBias">[3*Hp] b_hh packed, or empty.</param>
    /// <param name="hPrev">[batch, Hp] previous hidden state.</param>
    /// <param name="hNew">[batch, Hp] new hidden state (may be the same memory as hPrev).</param>
    /// <param name="batch">Rows.</param>
    /// <param name="paddedUnits">Hp.</param>
    /// <param name="clip">ONNX cell clip: the n pre-activation bounded to [-clip, clip]; +Inf for none.</param>
    /// <param name="functions">ONNX activation functions; null for the standard ones (sigmoid gates, tanh elsewhere).</param>
    public static void State(Span<float> inputGates, ReadOnlySpan<float> candidateHidden, int candidateStride, ReadOnlySpan<float> inputBias, ReadOnlySpan<float> hiddenBias, ReadOnlySpan<float> hPrev, Span<float> hNew, int batch, int paddedUnits,
        float clip = float.PositiveInfinity, CellActivations? functions = null)
    {
        int hp = paddedUnits;
        Validate(inputGates.Length, batch, hp, inputBias.Length, hiddenBias.Length);
        if (candidateStride < hp || candidateHidden.Length < ((batch - 1) * candidateStride) + hp || hPrev.Length < batch * hp || hNew.Length < batch * hp)
        {
            throw new ArgumentException($"Reset-before GRU expects the candidate product [{batch}, {hp}] and states [{batch}, {hp}].");
        }

        switch (Isa.Active)
        {
            case SimdPath.Vector512:
                StateRun<Vector512Ops, Vector512<float>>(inputGates, candidateHidden, candidateStride, inputBias, hiddenBias, hPrev, hNew, batch, hp, clip, functions);
                break;
            case SimdPath.Vector256:
                StateRun<Vector256Ops, Vector256<float>>(inputGates, candidateHidden, candidateStride, inputBias, hiddenBias, hPrev, hNew, batch, hp, clip, functions);
                break;
            case SimdPath.Vector128:
                StateRun<Vector128Ops, Vector128<float>>(inputGates, candidateHidden, candidateStride, inputBias, hiddenBias, hPrev, hNew, batch, hp, clip, functions);
                break;
            default:
                StateRun<ScalarOps, float>(inputGates, candidateHidden, candidateStride, inputBias, hiddenBias, hPrev, hNew, batch, hp, clip, functions);
                break;
        }
    }

    private static void Validate(int inputGates, int batch, int hp, int inputBias, int hiddenBias)
    {
        if (hp % Isa.FloatsPerVector != 0 || inputGates < batch * 3 * hp || (inputBias != 0 && inputBias < 3 * hp) || (hiddenBias != 0 && hiddenBias < 3 * hp))
        {
            throw new ArgumentException($"Reset-before GRU expects input gates [{batch}, {3 * hp}] and biases [{3 * hp}] or none.");
        }
    }

    private static void GatesRun<TOps, TVec>(Span<float> inputGates, ReadOnlySpan<float> hiddenGates, ReadOnlySpan<float> inputBias, ReadOnlySpan<float> hiddenBias, ReadOnlySpan<float> hPrev, Span<float> resetHidden, int batch, int hp, float clip, CellActivations? functions)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        if (functions is null)
        {
            GatesRun<TOps, TVec, StandardCellFunctions<TOps, TVec>>(inputGates, hiddenGates, inputBias, hiddenBias, hPrev, resetHidden, batch, hp, clip, default);
        }
        else
        {
            GatesRun<TOps, TVec, ConfiguredCellFunctions<TOps, TVec>>(inputGates, hiddenGates, inputBias, hiddenBias, hPrev, resetHidden, batch, hp, clip, new ConfiguredCellFunctions<TOps, TVec>(functions));
        }
    }

    private static void GatesRun<TOps, TVec, TFun>(Span<float> inputGates, ReadOnlySpan<float> hiddenGates, ReadOnlySpan<float> inputBias, ReadOnlySpan<float> hiddenBias, ReadOnlySpan<float> hPrev, Span<float> resetHidden, int batch, int hp, float clip, TFun fun)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        where TFun : struct, ICellFunctions<TVec>
    {
        int n = TOps.Count;
        var limit = new PreActivationClip<TOps, TVec>(clip);
        bool hasBias = !inputBias.IsEmpty;
        ref float biBase = ref MemoryMarshal.GetReference(inputBias);
        ref float bhBase = ref MemoryMarshal.GetReference(hiddenBias);
        for (int b = 0; b < batch; b++)
        {
            ref float xg = ref MemoryMarshal.GetReference(inputGates.Slice(b * 3 * hp));
            ref float hg = ref MemoryMarshal.GetReference(hiddenGates.Slice(b * 2 * hp));
            ref float h0 = ref MemoryMarshal.GetReference(hPrev.Slice(b * hp));
            ref float rh = ref MemoryMarshal.GetReference(resetHidden.Slice(b * hp));
            for (int u = 0; u < hp; u += n)
            {
                int at = 3 * u;
                int ht = 2 * u;
                TVec r = TOps.Add(TOps.Load(ref Unsafe.Add(ref xg, at)), TOps.Load(ref Unsafe.Add(ref hg, ht)));
                TVec z = TOps.Add(TOps.Load(ref Unsafe.Add(ref xg, at + n)), TOps.Load(ref Unsafe.Add(ref hg, ht + n)));
                if (hasBias)
                {
                    r = TOps.Add(r, TOps.Add(TOps.Load(ref Unsafe.Add(ref biBase, at)), TOps.Load(ref Unsafe.Add(ref bhBase, at))));
                    z = TOps.Add(z, TOps.Add(TOps.Load(ref Unsafe.Add(ref biBase, at + n)), TOps.Load(ref Unsafe.Add(ref bhBase, at + n))));
                }

                if (limit.Enabled)
                {
                    r = limit.Apply(r);
                    z = limit.Apply(z);
                }

                r = fun.Gate(r);
                z = fun.Gate(z);
                TOps.Store(r, ref Unsafe.Add(ref xg, at));
                TOps.Store(z, ref Unsafe.Add(ref xg, at + n));
                TOps.Store(TOps.Multiply(r, TOps.Load(ref Unsafe.Add(ref h0, u))), ref Unsafe.Add(ref rh, u));
            }
        }
    }

    private static void StateRun<TOps, TVec>(Span<float> inputGates, ReadOnlySpan<float> candidateHidden, int candidateStride, ReadOnlySpan<float> inputBias, ReadOnlySpan<float> hiddenBias, ReadOnlySpan<float> hPrev, Span<float> hNew, int batch, int hp, float clip, CellActivations? functions)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        if (functions is null)
        {
            StateRun<TOps, TVec, StandardCellFunctions<TOps, TVec>>(inputGates, candidateHidden, candidateStride, inputBias, hiddenBias, hPrev, hNew, batch, hp, clip, default);
        }
        else
        {
            StateRun<TOps, TVec, ConfiguredCellFunctions<TOps, TVec>>(inputGates, candidateHidden, candidateStride, inputBias, hiddenBias, hPrev, hNew, batch, hp, clip, new ConfiguredCellFunctions<TOps, TVec>(functions));
        }
    }

    private static void StateRun<TOps, TVec, TFun>(Span<float> inputGates, ReadOnlySpan<float> candidateHidden, int candidateStride, ReadOnlySpan<float> inputBias, ReadOnlySpan<float> hiddenBias, ReadOnlySpan<float> hPrev, Span<float> hNew, int batch, int hp, float clip, TFun fun)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        where TFun : struct, ICellFunctions<TVec>
    {
        int n = TOps.Count;
        var limit = new PreActivationClip<TOps, TVec>(clip);
        bool hasBias = !inputBias.IsEmpty;
        ref float biBase = ref MemoryMarshal.GetReference(inputBias);
        ref float bhBase = ref MemoryMarshal.GetReference(hiddenBias);
        for (int b = 0; b < batch; b++)
        {
            ref float xg = ref MemoryMarshal.GetReference(inputGates.Slice(b * 3 * hp));
            ref float cand = ref MemoryMarshal.GetReference(candidateHidden.Slice(b * candidateStride));
            ref float h0 = ref MemoryMarshal.GetReference(hPrev.Slice(b * hp));
            ref float h1 = ref MemoryMarshal.GetReference(hNew.Slice(b * hp));
            for (int u = 0; u < hp; u += n)
            {
                int at = (3 * u) + (2 * n);
                TVec pre = TOps.Add(TOps.Load(ref Unsafe.Add(ref xg, at)), TOps.Load(ref Unsafe.Add(ref cand, u)));
                if (hasBias)
                {
                    pre = TOps.Add(pre, TOps.Add(TOps.Load(ref Unsafe.Add(ref biBase, at)), TOps.Load(ref Unsafe.Add(ref bhBase, at))));
                }

                TVec c = fun.Candidate(limit.Enabled ? limit.Apply(pre) : pre);
                TVec z = TOps.Load(ref Unsafe.Add(ref xg, at - n));
                TOps.Store(c, ref Unsafe.Add(ref xg, at));
                TOps.Store(TOps.MultiplyAdd(z, TOps.Subtract(TOps.Load(ref Unsafe.Add(ref h0, u)), c), c), ref Unsafe.Add(ref h1, u));
            }
        }
    }
}

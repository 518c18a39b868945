using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
    /// <param name="options">The clip and functions of the layer direction (the clip bounds r and z here).</param>
    /// <param name="units">The units of every row to run (one thread's share), or null for all.</param>
    public static void Gates(
        Span<float> inputGates, ReadOnlySpan<float> hiddenGates, ReadOnlySpan<float> inputBias, ReadOnlySpan<float> hiddenBias,
        ReadOnlySpan<float> hPrev, Span<float> resetHidden, int batch, int paddedUnits, EpilogueOptions options, UnitRange? units = null)
    {
        int hp = paddedUnits;
        Validate(inputGates.Length, batch, hp, inputBias.Length, hiddenBias.Length);
        if (hiddenGates.Length < batch * 2 * hp || hPrev.Length < batch * hp || resetHidden.Length < batch * hp)
        {
            throw new ArgumentException($"Reset-before GRU expects hidden gates [{batch}, {2 * hp}] and states [{batch}, {hp}].");
        }

        var kernel = new GatesKernel
        {
            InputGates = inputGates, HiddenGates = hiddenGates, InputBias = inputBias, HiddenBias = hiddenBias, HPrev = hPrev,
            ResetHidden = resetHidden, Batch = batch, Hp = hp, Options = options, Units = UnitRange.Check(units, hp),
        };
        SimdDispatch.Run(ref kernel);
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
    /// <param name="options">The clip and functions of the layer direction (the clip bounds n here).</param>
    /// <param name="units">The units of every row to run (one thread's share), or null for all.</param>
    public static void State(
        Span<float> inputGates, ReadOnlySpan<float> candidateHidden, int candidateStride, ReadOnlySpan<float> inputBias,
        ReadOnlySpan<float> hiddenBias, ReadOnlySpan<float> hPrev, Span<float> hNew, int batch, int paddedUnits, EpilogueOptions options, UnitRange? units = null)
    {
        int hp = paddedUnits;
        Validate(inputGates.Length, batch, hp, inputBias.Length, hiddenBias.Length);
        if (candidateStride < hp || candidateHidden.Length < ((batch - 1) * candidateStride) + hp || hPrev.Length < batch * hp || hNew.Length < batch * hp)
        {
            throw new ArgumentException($"Reset-before GRU expects the candidate product [{batch}, {hp}] and states [{batch}, {hp}].");
        }

        var kernel = new StateKernel
        {
            InputGates = inputGates, CandidateHidden = candidateHidden, CandidateStride = candidateStride, InputBias = inputBias,
            HiddenBias = hiddenBias, HPrev = hPrev, HNew = hNew, Batch = batch, Hp = hp, Options = options, Units = UnitRange.Check(units, hp),
        };
        SimdDispatch.Run(ref kernel);
    }

    private static void Validate(int inputGates, int batch, int hp, int inputBias, int hiddenBias)
    {
        if (hp % Isa.FloatsPerVector != 0 || inputGates < batch * 3 * hp || (inputBias != 0 && inputBias < 3 * hp) || (hiddenBias != 0 && hiddenBias < 3 * hp))
        {
            throw new ArgumentException($"Reset-before GRU expects input gates [{batch}, {3 * hp}] and biases [{3 * hp}] or none.");
        }
    }

    private ref struct GatesKernel : ICellKernel
    {
        public Span<float> InputGates;          // [batch, 3*Hp]
        public ReadOnlySpan<float> HiddenGates; // [batch, 2*Hp]
        public ReadOnlySpan<float> InputBias;   // [3*Hp] or empty
        public ReadOnlySpan<float> HiddenBias;  // [3*Hp] or empty
        public ReadOnlySpan<float> HPrev;       // [batch, Hp]
        public Span<float> ResetHidden;         // [batch, Hp]
        public int Batch;
        public int Hp;
        public EpilogueOptions Options;
        public UnitRange Units;

        public void Run<TOps, TVec>()
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
            => SimdDispatch.Run<TOps, TVec, GatesKernel>(ref this, Options);

        public readonly void Run<TOps, TVec, TFun>(TFun fun)
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
            where TFun : struct, ICellFunctions<TVec>
        {
            // Locals, not fields, in the loops: the JIT keeps them in registers.
            Span<float> inputGates = InputGates, resetHidden = ResetHidden;
            ReadOnlySpan<float> hiddenGates = HiddenGates, inputBias = InputBias, hiddenBias = HiddenBias, hPrev = HPrev;
            int batch = Batch, hp = Hp, first = Units.First, end = Units.End;
            float clip = Options.Clip;
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
                for (int u = first; u < end; u += n)
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
    }

    private ref struct StateKernel : ICellKernel
    {
        public Span<float> InputGates;              // [batch, 3*Hp]
        public ReadOnlySpan<float> CandidateHidden; // [batch, candidateStride]
        public int CandidateStride;
        public ReadOnlySpan<float> InputBias;       // [3*Hp] or empty
        public ReadOnlySpan<float> HiddenBias;      // [3*Hp] or empty
        public ReadOnlySpan<float> HPrev;           // [batch, Hp]
        public Span<float> HNew;                    // [batch, Hp]
        public int Batch;
        public int Hp;
        public EpilogueOptions Options;
        public UnitRange Units;

        public void Run<TOps, TVec>()
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
            => SimdDispatch.Run<TOps, TVec, StateKernel>(ref this, Options);

        public readonly void Run<TOps, TVec, TFun>(TFun fun)
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
            where TFun : struct, ICellFunctions<TVec>
        {
            // Locals, not fields, in the loops: the JIT keeps them in registers.
            Span<float> inputGates = InputGates, hNew = HNew;
            ReadOnlySpan<float> candidateHidden = CandidateHidden, inputBias = InputBias, hiddenBias = HiddenBias, hPrev = HPrev;
            int candidateStride = CandidateStride, batch = Batch, hp = Hp, first = Units.First, end = Units.End;
            float clip = Options.Clip;
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
                for (int u = first; u < end; u += n)
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
}

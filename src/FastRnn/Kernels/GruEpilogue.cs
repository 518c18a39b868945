using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastRnn.Kernels;

/// <summary>
/// The PyTorch GRU step after the matrix products (reset applied after the recurrent product):
/// r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r ⊙ h_n), h' = n + z ⊙ (h − n),
/// where x_* = W_i* x + b_i* and h_* = W_h* h + b_h*; biases are added here.
/// </summary>
internal static class GruEpilogue
{
    /// <summary>Runs the epilogue for <paramref name="batch"/> rows.</summary>
    /// <param name="inputGates">[batch, 3*Hp] W_ih x in packed order (per panel r, z, n); overwritten with the activated r, z, n.</param>
    /// <param name="hiddenGates">[batch, 3*Hp] W_hh h in packed order; its n slot is overwritten with W_hn h + b_hn, which backward reads.</param>
    /// <param name="inputBias">[3*Hp] b_ih in packed order, or empty.</param>
    /// <param name="hiddenBias">[3*Hp] b_hh in packed order, or empty.</param>
    /// <param name="hPrev">[batch, Hp] previous hidden state.</param>
    /// <param name="hNew">[batch, Hp] new hidden state (may be the same memory as hPrev).</param>
    /// <param name="batch">Rows.</param>
    /// <param name="paddedUnits">Hp.</param>
    /// <param name="options">The clip and functions of the layer direction.</param>
    /// <param name="units">The units of every row to run (one thread's share), or null for all.</param>
    public static void Forward(
        Span<float> inputGates, Span<float> hiddenGates, ReadOnlySpan<float> inputBias, ReadOnlySpan<float> hiddenBias, ReadOnlySpan<float> hPrev,
        Span<float> hNew, int batch, int paddedUnits, EpilogueOptions options, UnitRange? units = null)
    {
        int hp = paddedUnits;
        if (hp % Isa.FloatsPerVector != 0 || inputGates.Length < batch * 3 * hp || hiddenGates.Length < batch * 3 * hp || hPrev.Length < batch * hp
            || hNew.Length < batch * hp || (inputBias.Length != 0 && inputBias.Length < 3 * hp) || (hiddenBias.Length != 0 && hiddenBias.Length < 3 * hp))
        {
            throw new ArgumentException(
                $"GRU epilogue expects gates [{batch}, {3 * hp}] twice, states [{batch}, {hp}], biases [{3 * hp}] or none.");
        }

        var kernel = new Kernel
        {
            InputGates = inputGates, HiddenGates = hiddenGates, InputBias = inputBias, HiddenBias = hiddenBias, HPrev = hPrev, HNew = hNew,
            Batch = batch, Hp = hp, Options = options, Units = UnitRange.Check(units, hp),
        };
        SimdDispatch.Run(ref kernel);
    }

    private ref struct Kernel : ICellKernel
    {
        public Span<float> InputGates;         // [batch, 3*Hp]
        public Span<float> HiddenGates;        // [batch, 3*Hp]
        public ReadOnlySpan<float> InputBias;  // [3*Hp] or empty
        public ReadOnlySpan<float> HiddenBias; // [3*Hp] or empty
        public ReadOnlySpan<float> HPrev;      // [batch, Hp]
        public Span<float> HNew;               // [batch, Hp]
        public int Batch;
        public int Hp;
        public EpilogueOptions Options;
        public UnitRange Units;

        public void Run<TOps, TVec>()
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
            => SimdDispatch.Run<TOps, TVec, Kernel>(ref this, Options);

        public readonly void Run<TOps, TVec, TFun>(TFun fun)
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
            where TFun : struct, ICellFunctions<TVec>
        {
            // Locals, not fields, in the loops: the JIT keeps them in registers.
            Span<float> inputGates = InputGates, hiddenGates = HiddenGates, hNew = HNew;
            ReadOnlySpan<float> inputBias = InputBias, hiddenBias = HiddenBias, hPrev = HPrev;
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
                ref float hg = ref MemoryMarshal.GetReference(hiddenGates.Slice(b * 3 * hp));
                ref float hp0 = ref MemoryMarshal.GetReference(hPrev.Slice(b * hp));
                ref float hn1 = ref MemoryMarshal.GetReference(hNew.Slice(b * hp));
                for (int u = first; u < end; u += n)
                {
                    int at = 3 * u;
                    TVec r = TOps.Add(TOps.Load(ref Unsafe.Add(ref xg, at)), TOps.Load(ref Unsafe.Add(ref hg, at)));
                    TVec z = TOps.Add(TOps.Load(ref Unsafe.Add(ref xg, at + n)), TOps.Load(ref Unsafe.Add(ref hg, at + n)));
                    TVec xn = TOps.Load(ref Unsafe.Add(ref xg, at + (2 * n)));
                    TVec hn = TOps.Load(ref Unsafe.Add(ref hg, at + (2 * n)));
                    if (hasBias)
                    {
                        r = TOps.Add(r, TOps.Add(TOps.Load(ref Unsafe.Add(ref biBase, at)), TOps.Load(ref Unsafe.Add(ref bhBase, at))));
                        z = TOps.Add(z, TOps.Add(TOps.Load(ref Unsafe.Add(ref biBase, at + n)), TOps.Load(ref Unsafe.Add(ref bhBase, at + n))));
                        xn = TOps.Add(xn, TOps.Load(ref Unsafe.Add(ref biBase, at + (2 * n))));
                        hn = TOps.Add(hn, TOps.Load(ref Unsafe.Add(ref bhBase, at + (2 * n))));
                    }

                    if (limit.Enabled)
                    {
                        r = limit.Apply(r);
                        z = limit.Apply(z);
                    }

                    r = fun.Gate(r);
                    z = fun.Gate(z);
                    TVec pre = TOps.MultiplyAdd(r, hn, xn);
                    TOps.Store(r, ref Unsafe.Add(ref xg, at));
                    TOps.Store(z, ref Unsafe.Add(ref xg, at + n));
                    TOps.Store(limit.Enabled ? limit.Apply(pre) : pre, ref Unsafe.Add(ref xg, at + (2 * n)));
                    TOps.Store(hn, ref Unsafe.Add(ref hg, at + (2 * n)));
                }

                // The candidate's tanh and h' in a second pass over the row, for the reason the LSTM
                // epilogue gives: apart from the gates' sigmoids, each pass is independent vectors.
                for (int u = first; u < end; u += n)
                {
                    int at = 3 * u;
                    TVec cand = fun.Candidate(TOps.Load(ref Unsafe.Add(ref xg, at + (2 * n))));
                    TVec z = TOps.Load(ref Unsafe.Add(ref xg, at + n));
                    TVec h = TOps.Load(ref Unsafe.Add(ref hp0, u));
                    TOps.Store(cand, ref Unsafe.Add(ref xg, at + (2 * n)));
                    TOps.Store(TOps.MultiplyAdd(z, TOps.Subtract(h, cand), cand), ref Unsafe.Add(ref hn1, u));
                }
            }
        }
    }
}

using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastRnn.Kernels;

/// <summary>
/// Backward of the GRU epilogues for one step. For PyTorch's form (<see cref="Backward"/>) and for
/// the reset-before form, whose backward runs in two passes around the W_hnᵀ product
/// (<see cref="CandidateBackward"/>, then <see cref="ResetBackward"/>).
/// </summary>
internal static class GruBackwardEpilogue
{
    /// <summary>PyTorch's GRU: h' = n + z ⊙ (h − n), n = tanh(x_n + r ⊙ h_n).</summary>
    /// <param name="gates">[batch, 3*Hp] activated r, z, n (packed order).</param>
    /// <param name="hiddenGates">[batch, 3*Hp] saved W_hh h + b_hh; its n slot is h_n.</param>
    /// <param name="hPrev">[batch, Hp] state before the step.</param>
    /// <param name="dh">[batch, Hp] in: gradient of h'; out: its direct part toward h (dh ⊙ z); shares memory with no other argument.</param>
    /// <param name="dInputGates">[batch, dGatesStride] out: gradients of x_r, x_z, x_n pre-activations (the first 3*Hp of each row).</param>
    /// <param name="dHiddenGates">[batch, dGatesStride] out: gradients of the recurrent pre-activations (r, z as above; n: dn ⊙ r).</param>
    /// <param name="dGatesStride">Row stride of both gradients, whole vectors (the training workspace pads it).</param>
    /// <param name="batch">Rows.</param>
    /// <param name="paddedUnits">Hp.</param>
    /// <param name="options">The layer direction's options: only the standard cell has a backward.</param>
    public static void Backward(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> hiddenGates, ReadOnlySpan<float> hPrev, Span<float> dh, Span<float> dInputGates,
        Span<float> dHiddenGates, int dGatesStride, int batch, int paddedUnits, EpilogueOptions options)
    {
        int hp = paddedUnits;
        options.RequireBackward(reluCandidate: false);
        int gradientFloats = ((batch - 1) * dGatesStride) + (3 * hp);
        if (hp % Isa.FloatsPerVector != 0 || gates.Length < batch * 3 * hp || hiddenGates.Length < batch * 3 * hp || !Strided(dGatesStride, 3 * hp)
            || dInputGates.Length < gradientFloats || dHiddenGates.Length < gradientFloats || hPrev.Length < batch * hp || dh.Length < batch * hp)
        {
            throw new ArgumentException(
                $"GRU backward expects gates and their gradients [{batch}, {3 * hp}] (gradient row stride {dGatesStride}: whole vectors), states [{batch}, {hp}].");
        }

        var kernel = new Kernel
        {
            Gates = gates, HiddenGates = hiddenGates, HPrev = hPrev, Dh = dh, DInputGates = dInputGates, DHiddenGates = dHiddenGates,
            DGatesStride = dGatesStride, Batch = batch, Hp = hp,
        };
        SimdDispatch.Run(ref kernel);
    }

    /// <summary>Reset-before GRU, first pass: z and n gradients, dn for W_hnᵀ, and the direct dh ⊙ z.</summary>
    /// <param name="gates">[batch, 3*Hp] activated r, z, n.</param>
    /// <param name="hPrev">[batch, Hp] state before the step.</param>
    /// <param name="dh">[batch, Hp] in: gradient of h'; out: dh ⊙ z.</param>
    /// <param name="dInputGates">[batch, dInputStride] out: z and n slots of the first 3*Hp (r comes in the second pass).</param>
    /// <param name="dInputStride">Row stride of dInputGates, whole vectors.</param>
    /// <param name="dCandidate">[batch, candidateStride] out: the n pre-activation gradient in natural order (input of W_hnᵀ).</param>
    /// <param name="candidateStride">Row stride of dCandidate.</param>
    /// <param name="batch">Rows.</param>
    /// <param name="paddedUnits">Hp.</param>
    /// <param name="options">The layer direction's options: only the standard cell has a backward.</param>
    public static void CandidateBackward(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> hPrev, Span<float> dh, Span<float> dInputGates, int dInputStride, Span<float> dCandidate,
        int candidateStride, int batch, int paddedUnits, EpilogueOptions options)
    {
        int hp = paddedUnits;
        options.RequireBackward(reluCandidate: false);
        if (hp % Isa.FloatsPerVector != 0 || gates.Length < batch * 3 * hp || !Strided(dInputStride, 3 * hp)
            || dInputGates.Length < ((batch - 1) * dInputStride) + (3 * hp) || hPrev.Length < batch * hp || dh.Length < batch * hp
            || !Strided(candidateStride, hp) || dCandidate.Length < ((batch - 1) * candidateStride) + hp)
        {
            throw new ArgumentException(
                $"Reset-before GRU backward expects gates and their gradients [{batch}, {3 * hp}], states [{batch}, {hp}] and a candidate gradient "
                + $"[{batch}, {hp}] (row strides {dInputStride} and {candidateStride}: whole vectors).");
        }

        var kernel = new CandidateKernel
        {
            Gates = gates, HPrev = hPrev, Dh = dh, DInputGates = dInputGates, DInputStride = dInputStride, DCandidate = dCandidate,
            CandidateStride = candidateStride, Batch = batch, Hp = hp,
        };
        SimdDispatch.Run(ref kernel);
    }

    /// <summary>Reset-before GRU, second pass: from d(r ⊙ h), the r gradient and the rest of the direct dh.</summary>
    /// <param name="gates">[batch, 3*Hp] activated r, z, n.</param>
    /// <param name="hPrev">[batch, Hp] state before the step.</param>
    /// <param name="dResetHidden">[batch, rhStride] gradient of r ⊙ h (W_hnᵀ dn), natural order.</param>
    /// <param name="resetHiddenStride">Row stride of dResetHidden.</param>
    /// <param name="dh">[batch, Hp] in: dh ⊙ z; out: plus d(r ⊙ h) ⊙ r.</param>
    /// <param name="dInputGates">[batch, dInputStride] out: the r slot of the first 3*Hp (z, n from the first pass).</param>
    /// <param name="dInputStride">Row stride of dInputGates, whole vectors.</param>
    /// <param name="dRecurrentGates">[batch, dRecurrentStride] out: r and z gradients in the two-gate packed order of W_h{r,z}.</param>
    /// <param name="dRecurrentStride">Row stride of dRecurrentGates, whole vectors.</param>
    /// <param name="batch">Rows.</param>
    /// <param name="paddedUnits">Hp.</param>
    /// <param name="options">The layer direction's options: only the standard cell has a backward.</param>
    public static void ResetBackward(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> dResetHidden, int resetHiddenStride, Span<float> dh,
        Span<float> dInputGates, int dInputStride, Span<float> dRecurrentGates, int dRecurrentStride, int batch, int paddedUnits, EpilogueOptions options)
    {
        int hp = paddedUnits;
        options.RequireBackward(reluCandidate: false);
        if (hp % Isa.FloatsPerVector != 0 || gates.Length < batch * 3 * hp || !Strided(dInputStride, 3 * hp)
            || dInputGates.Length < ((batch - 1) * dInputStride) + (3 * hp) || !Strided(dRecurrentStride, 2 * hp)
            || dRecurrentGates.Length < ((batch - 1) * dRecurrentStride) + (2 * hp) || hPrev.Length < batch * hp || dh.Length < batch * hp
            || resetHiddenStride < hp || dResetHidden.Length < ((batch - 1) * resetHiddenStride) + hp)
        {
            throw new ArgumentException(
                $"Reset-before GRU backward expects gates and their gradients [{batch}, {3 * hp}], states [{batch}, {hp}] and recurrent gradients "
                + $"[{batch}, {2 * hp}] (row strides {dInputStride} and {dRecurrentStride}: whole vectors).");
        }

        var kernel = new ResetKernel
        {
            Gates = gates, HPrev = hPrev, DResetHidden = dResetHidden, ResetHiddenStride = resetHiddenStride, Dh = dh, DInputGates = dInputGates,
            DInputStride = dInputStride, DRecurrentGates = dRecurrentGates, DRecurrentStride = dRecurrentStride, Batch = batch, Hp = hp,
        };
        SimdDispatch.Run(ref kernel);
    }

    // A gradient row stride: at least the row, and whole vectors so every row starts aligned like the first.
    private static bool Strided(int stride, int row) => stride >= row && stride % Isa.FloatsPerVector == 0;

    private ref struct Kernel : ISimdKernel
    {
        public ReadOnlySpan<float> Gates;       // [batch, 3*Hp]
        public ReadOnlySpan<float> HiddenGates; // [batch, 3*Hp]
        public ReadOnlySpan<float> HPrev;       // [batch, Hp]
        public Span<float> Dh;                  // [batch, Hp]
        public Span<float> DInputGates;         // [batch, DGatesStride]
        public Span<float> DHiddenGates;        // [batch, DGatesStride]
        public int DGatesStride;
        public int Batch;
        public int Hp;

        public readonly void Run<TOps, TVec>()
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
        {
            // Locals, not fields, in the loops: the JIT keeps them in registers.
            ReadOnlySpan<float> gates = Gates, hiddenGates = HiddenGates, hPrev = HPrev;
            Span<float> dh = Dh, dInputGates = DInputGates, dHiddenGates = DHiddenGates;
            int batch = Batch, hp = Hp, dGatesStride = DGatesStride;
            int n = TOps.Count;
            TVec one = TOps.Broadcast(1f);
            for (int b = 0; b < batch; b++)
            {
                ref float g = ref MemoryMarshal.GetReference(gates.Slice(b * 3 * hp));
                ref float hg = ref MemoryMarshal.GetReference(hiddenGates.Slice(b * 3 * hp));
                ref float dx = ref MemoryMarshal.GetReference(dInputGates.Slice(b * dGatesStride));
                ref float dhg = ref MemoryMarshal.GetReference(dHiddenGates.Slice(b * dGatesStride));
                ref float h0 = ref MemoryMarshal.GetReference(hPrev.Slice(b * hp));
                ref float d = ref MemoryMarshal.GetReference(dh.Slice(b * hp));
                for (int u = 0; u < hp; u += n)
                {
                    int at = 3 * u;
                    TVec r = TOps.Load(ref Unsafe.Add(ref g, at));
                    TVec z = TOps.Load(ref Unsafe.Add(ref g, at + n));
                    TVec c = TOps.Load(ref Unsafe.Add(ref g, at + (2 * n)));
                    TVec hn = TOps.Load(ref Unsafe.Add(ref hg, at + (2 * n)));
                    TVec h = TOps.Load(ref Unsafe.Add(ref h0, u));
                    TVec dhv = TOps.Load(ref Unsafe.Add(ref d, u));
                    TVec dnPre = TOps.Multiply(TOps.Multiply(dhv, TOps.Subtract(one, z)), TOps.Subtract(one, TOps.Multiply(c, c)));
                    TVec dzPre = TOps.Multiply(TOps.Multiply(dhv, TOps.Subtract(h, c)), TOps.Multiply(z, TOps.Subtract(one, z)));
                    TVec drPre = TOps.Multiply(TOps.Multiply(dnPre, hn), TOps.Multiply(r, TOps.Subtract(one, r)));
                    TOps.Store(drPre, ref Unsafe.Add(ref dx, at));
                    TOps.Store(dzPre, ref Unsafe.Add(ref dx, at + n));
                    TOps.Store(dnPre, ref Unsafe.Add(ref dx, at + (2 * n)));
                    TOps.Store(drPre, ref Unsafe.Add(ref dhg, at));
                    TOps.Store(dzPre, ref Unsafe.Add(ref dhg, at + n));
                    TOps.Store(TOps.Multiply(dnPre, r), ref Unsafe.Add(ref dhg, at + (2 * n)));
                    TOps.Store(TOps.Multiply(dhv, z), ref Unsafe.Add(ref d, u));
                }
            }
        }
    }

    private ref struct CandidateKernel : ISimdKernel
    {
        public ReadOnlySpan<float> Gates; // [batch, 3*Hp]
        public ReadOnlySpan<float> HPrev; // [batch, Hp]
        public Span<float> Dh;            // [batch, Hp]
        public Span<float> DInputGates;   // [batch, DInputStride]
        public int DInputStride;
        public Span<float> DCandidate;    // [batch, candidateStride]
        public int CandidateStride;
        public int Batch;
        public int Hp;

        public readonly void Run<TOps, TVec>()
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
        {
            // Locals, not fields, in the loops: the JIT keeps them in registers.
            ReadOnlySpan<float> gates = Gates, hPrev = HPrev;
            Span<float> dh = Dh, dInputGates = DInputGates, dCandidate = DCandidate;
            int dInputStride = DInputStride, candidateStride = CandidateStride, batch = Batch, hp = Hp;
            int n = TOps.Count;
            TVec one = TOps.Broadcast(1f);
            for (int b = 0; b < batch; b++)
            {
                ref float g = ref MemoryMarshal.GetReference(gates.Slice(b * 3 * hp));
                ref float dx = ref MemoryMarshal.GetReference(dInputGates.Slice(b * dInputStride));
                ref float dcand = ref MemoryMarshal.GetReference(dCandidate.Slice(b * candidateStride));
                ref float h0 = ref MemoryMarshal.GetReference(hPrev.Slice(b * hp));
                ref float d = ref MemoryMarshal.GetReference(dh.Slice(b * hp));
                for (int u = 0; u < hp; u += n)
                {
                    int at = 3 * u;
                    TVec z = TOps.Load(ref Unsafe.Add(ref g, at + n));
                    TVec c = TOps.Load(ref Unsafe.Add(ref g, at + (2 * n)));
                    TVec h = TOps.Load(ref Unsafe.Add(ref h0, u));
                    TVec dhv = TOps.Load(ref Unsafe.Add(ref d, u));
                    TVec dnPre = TOps.Multiply(TOps.Multiply(dhv, TOps.Subtract(one, z)), TOps.Subtract(one, TOps.Multiply(c, c)));
                    TVec dzPre = TOps.Multiply(TOps.Multiply(dhv, TOps.Subtract(h, c)), TOps.Multiply(z, TOps.Subtract(one, z)));
                    TOps.Store(dzPre, ref Unsafe.Add(ref dx, at + n));
                    TOps.Store(dnPre, ref Unsafe.Add(ref dx, at + (2 * n)));
                    TOps.Store(dnPre, ref Unsafe.Add(ref dcand, u));
                    TOps.Store(TOps.Multiply(dhv, z), ref Unsafe.Add(ref d, u));
                }
            }
        }
    }

    private ref struct ResetKernel : ISimdKernel
    {
        public ReadOnlySpan<float> Gates;        // [batch, 3*Hp]
        public ReadOnlySpan<float> HPrev;        // [batch, Hp]
        public ReadOnlySpan<float> DResetHidden; // [batch, resetHiddenStride]
        public int ResetHiddenStride;
        public Span<float> Dh;                   // [batch, Hp]
        public Span<float> DInputGates;          // [batch, DInputStride]
        public int DInputStride;
        public Span<float> DRecurrentGates;      // [batch, DRecurrentStride]
        public int DRecurrentStride;
        public int Batch;
        public int Hp;

        public readonly void Run<TOps, TVec>()
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
        {
            // Locals, not fields, in the loops: the JIT keeps them in registers.
            ReadOnlySpan<float> gates = Gates, hPrev = HPrev, dResetHidden = DResetHidden;
            Span<float> dh = Dh, dInputGates = DInputGates, dRecurrentGates = DRecurrentGates;
            int resetHiddenStride = ResetHiddenStride, dInputStride = DInputStride, dRecurrentStride = DRecurrentStride, batch = Batch, hp = Hp;
            int n = TOps.Count;
            TVec one = TOps.Broadcast(1f);
            for (int b = 0; b < batch; b++)
            {
                ref float g = ref MemoryMarshal.GetReference(gates.Slice(b * 3 * hp));
                ref float dx = ref MemoryMarshal.GetReference(dInputGates.Slice(b * dInputStride));
                ref float drz = ref MemoryMarshal.GetReference(dRecurrentGates.Slice(b * dRecurrentStride));
                ref float drh = ref MemoryMarshal.GetReference(dResetHidden.Slice(b * resetHiddenStride));
                ref float h0 = ref MemoryMarshal.GetReference(hPrev.Slice(b * hp));
                ref float d = ref MemoryMarshal.GetReference(dh.Slice(b * hp));
                for (int u = 0; u < hp; u += n)
                {
                    int at = 3 * u;
                    TVec r = TOps.Load(ref Unsafe.Add(ref g, at));
                    TVec h = TOps.Load(ref Unsafe.Add(ref h0, u));
                    TVec dRh = TOps.Load(ref Unsafe.Add(ref drh, u));
                    TVec drPre = TOps.Multiply(TOps.Multiply(dRh, h), TOps.Multiply(r, TOps.Subtract(one, r)));
                    TOps.Store(drPre, ref Unsafe.Add(ref dx, at));
                    TOps.Store(drPre, ref Unsafe.Add(ref drz, 2 * u));
                    TOps.Store(TOps.Load(ref Unsafe.Add(ref dx, at + n)), ref Unsafe.Add(ref drz, (2 * u) + n));
                    TOps.Store(TOps.MultiplyAdd(dRh, r, TOps.Load(ref Unsafe.Add(ref d, u))), ref Unsafe.Add(ref d, u));
                }
            }
        }
    }
}

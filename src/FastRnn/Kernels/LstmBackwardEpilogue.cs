using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastRnn.Kernels;

/// <summary>
/// Backward of the LSTM epilogue for one step: from the gradient of m = o ⊙ tanh(c') and of c',
/// the gradients of the four gate pre-activations, of the previous cell state and of the peepholes.
/// </summary>
internal static class LstmBackwardEpilogue
{
    /// <summary>Runs the backward epilogue for <paramref name="batch"/> rows.</summary>
    /// <param name="gates">[batch, 4*Hp] the activated i, f, g, o saved by the forward epilogue (packed order).</param>
    /// <param name="dm">[batch, Hp] gradient of o ⊙ tanh(c').</param>
    /// <param name="cPrev">[batch, Hp] cell state before the step.</param>
    /// <param name="cNew">[batch, Hp] cell state after the step.</param>
    /// <param name="peephole">[3*Hp] w_ci, w_cf, w_co, or empty.</param>
    /// <param name="dc">[batch, Hp] in: gradient of c' from later steps; out: gradient of c before the step.</param>
    /// <param name="dGates">[batch, dGatesStride] out: gradients of the gate pre-activations (packed order) in the first 4*Hp of each row.</param>
    /// <param name="dGatesStride">Row stride of <paramref name="dGates"/>, a multiple of the vector width (the training workspace pads it).</param>
    /// <param name="dPeephole">[3*Hp] peephole gradients, accumulated over rows; empty to skip (without peepholes, or when the caller sums them
    /// itself).</param>
    /// <param name="batch">Rows.</param>
    /// <param name="paddedUnits">Hp.</param>
    /// <param name="options">The layer direction's options: only the standard cell has a backward.</param>
    public static void Backward(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> dm, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> cNew, ReadOnlySpan<float> peephole,
        Span<float> dc, Span<float> dGates, int dGatesStride, Span<float> dPeephole, int batch, int paddedUnits, EpilogueOptions options)
    {
        int hp = paddedUnits;
        options.RequireBackward(reluCandidate: false);
        if (hp % Isa.FloatsPerVector != 0 || gates.Length < batch * 4 * hp || dGatesStride < 4 * hp || dGatesStride % Isa.FloatsPerVector != 0
            || dGates.Length < ((batch - 1) * dGatesStride) + (4 * hp) || dm.Length < batch * hp
            || cPrev.Length < batch * hp || cNew.Length < batch * hp || dc.Length < batch * hp
            || (peephole.Length != 0 && peephole.Length < 3 * hp) || (dPeephole.Length != 0 && (peephole.Length == 0 || dPeephole.Length < 3 * hp)))
        {
            throw new ArgumentException(
                $"LSTM backward expects gates and their gradients [{batch}, {4 * hp}] (gradient row stride {dGatesStride}: at least {4 * hp}, "
                + $"whole vectors), states [{batch}, {hp}], peepholes and their gradients [{3 * hp}] or both empty.");
        }

        var kernel = new Kernel
        {
            Gates = gates, Dm = dm, CPrev = cPrev, CNew = cNew, Peephole = peephole, Dc = dc, DGates = dGates, DGatesStride = dGatesStride,
            DPeephole = dPeephole, Batch = batch, Hp = hp,
        };
        SimdDispatch.Run(ref kernel);
    }

    private ref struct Kernel : ISimdKernel
    {
        public ReadOnlySpan<float> Gates;    // [batch, 4*Hp]
        public ReadOnlySpan<float> Dm;       // [batch, Hp]
        public ReadOnlySpan<float> CPrev;    // [batch, Hp]
        public ReadOnlySpan<float> CNew;     // [batch, Hp]
        public ReadOnlySpan<float> Peephole; // [3*Hp] or empty
        public Span<float> Dc;               // [batch, Hp]
        public Span<float> DGates;           // [batch, DGatesStride]
        public int DGatesStride;
        public Span<float> DPeephole;        // [3*Hp] or empty
        public int Batch;
        public int Hp;

        public readonly void Run<TOps, TVec>()
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
        {
            // Locals, not fields, in the loops: the JIT keeps them in registers.
            ReadOnlySpan<float> gates = Gates, dm = Dm, cPrev = CPrev, cNew = CNew, peephole = Peephole;
            Span<float> dc = Dc, dGates = DGates, dPeephole = DPeephole;
            int batch = Batch, hp = Hp, dGatesStride = DGatesStride;
            int n = TOps.Count;
            bool hasPeephole = !peephole.IsEmpty;
            bool peepholeGradients = !dPeephole.IsEmpty;
            ref float pBase = ref MemoryMarshal.GetReference(peephole);
            ref float dpBase = ref MemoryMarshal.GetReference(dPeephole);
            TVec one = TOps.Broadcast(1f);
            for (int b = 0; b < batch; b++)
            {
                ref float g = ref MemoryMarshal.GetReference(gates.Slice(b * 4 * hp));
                ref float dg = ref MemoryMarshal.GetReference(dGates.Slice(b * dGatesStride));
                ref float dmr = ref MemoryMarshal.GetReference(dm.Slice(b * hp));
                ref float cp = ref MemoryMarshal.GetReference(cPrev.Slice(b * hp));
                ref float cn = ref MemoryMarshal.GetReference(cNew.Slice(b * hp));
                ref float dcr = ref MemoryMarshal.GetReference(dc.Slice(b * hp));
                for (int u = 0; u < hp; u += n)
                {
                    int at = 4 * u;
                    TVec i = TOps.Load(ref Unsafe.Add(ref g, at));
                    TVec f = TOps.Load(ref Unsafe.Add(ref g, at + n));
                    TVec z = TOps.Load(ref Unsafe.Add(ref g, at + (2 * n)));
                    TVec o = TOps.Load(ref Unsafe.Add(ref g, at + (3 * n)));
                    TVec c0 = TOps.Load(ref Unsafe.Add(ref cp, u));
                    TVec c1 = TOps.Load(ref Unsafe.Add(ref cn, u));
                    TVec d = TOps.Load(ref Unsafe.Add(ref dmr, u));
                    TVec tc = ActivationMath.Tanh<TOps, TVec>(c1);

                    // m = o * tanh(c'): do = dm * tanh(c'), dc' += dm * o * (1 - tanh²(c')).
                    TVec dOut = TOps.Multiply(TOps.Multiply(d, tc), TOps.Multiply(o, TOps.Subtract(one, o)));
                    TVec dC = TOps.MultiplyAdd(TOps.Multiply(d, o), TOps.Subtract(one, TOps.Multiply(tc, tc)), TOps.Load(ref Unsafe.Add(ref dcr, u)));
                    if (hasPeephole)
                    {
                        dC = TOps.MultiplyAdd(dOut, TOps.Load(ref Unsafe.Add(ref pBase, (2 * hp) + u)), dC);
                    }

                    TVec dIn = TOps.Multiply(TOps.Multiply(dC, z), TOps.Multiply(i, TOps.Subtract(one, i)));
                    TVec dForget = TOps.Multiply(TOps.Multiply(dC, c0), TOps.Multiply(f, TOps.Subtract(one, f)));
                    TVec dCand = TOps.Multiply(TOps.Multiply(dC, i), TOps.Subtract(one, TOps.Multiply(z, z)));
                    TVec dPrev = TOps.Multiply(dC, f);
                    if (hasPeephole)
                    {
                        dPrev = TOps.MultiplyAdd(dIn, TOps.Load(ref Unsafe.Add(ref pBase, u)), dPrev);
                        dPrev = TOps.MultiplyAdd(dForget, TOps.Load(ref Unsafe.Add(ref pBase, hp + u)), dPrev);
                    }

                    if (peepholeGradients)
                    {
                        ref float dci = ref Unsafe.Add(ref dpBase, u);
                        ref float dcf = ref Unsafe.Add(ref dpBase, hp + u);
                        ref float dco = ref Unsafe.Add(ref dpBase, (2 * hp) + u);
                        TOps.Store(TOps.MultiplyAdd(dIn, c0, TOps.Load(ref dci)), ref dci);
                        TOps.Store(TOps.MultiplyAdd(dForget, c0, TOps.Load(ref dcf)), ref dcf);
                        TOps.Store(TOps.MultiplyAdd(dOut, c1, TOps.Load(ref dco)), ref dco);
                    }

                    TOps.Store(dIn, ref Unsafe.Add(ref dg, at));
                    TOps.Store(dForget, ref Unsafe.Add(ref dg, at + n));
                    TOps.Store(dCand, ref Unsafe.Add(ref dg, at + (2 * n)));
                    TOps.Store(dOut, ref Unsafe.Add(ref dg, at + (3 * n)));
                    TOps.Store(dPrev, ref Unsafe.Add(ref dcr, u));
                }
            }
        }
    }
}

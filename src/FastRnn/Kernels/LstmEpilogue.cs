using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastRnn.Kernels;

/// <summary>
/// The LSTM step after the matrix products, over interleaved gate rows: bias add, peepholes,
/// i/f/o sigmoid, g tanh, c' = f*c + i*g, h' = o * tanh(c'); and, for ONNX imports only, the cell
/// clip and coupled input/forget gates.
/// </summary>
internal static class LstmEpilogue
{
    /// <summary>Runs the epilogue for <paramref name="batch"/> rows.</summary>
    /// <param name="gates">[batch, 4*Hp] pre-activations in packed order (per panel: i, f, g, o); overwritten with the activated gates, which
    /// backward reads.</param>
    /// <param name="bias">[4*Hp] b_ih + b_hh in packed order, or empty for no bias.</param>
    /// <param name="peephole">[3*Hp] w_ci, w_cf, w_co in natural order, or empty.</param>
    /// <param name="cPrev">[batch, Hp] previous cell state.</param>
    /// <param name="cNew">[batch, Hp] new cell state (may be the same memory as cPrev).</param>
    /// <param name="hNew">[batch, Hp] o * tanh(c').</param>
    /// <param name="batch">Rows.</param>
    /// <param name="paddedUnits">Hp: hidden units padded to whole vectors of the active path.</param>
    /// <param name="options">The clip, coupled input/forget gates and functions of the layer direction.</param>
    /// <param name="units">The units of every row to run (one thread's share), or null for all.</param>
    public static void Forward(
        Span<float> gates, ReadOnlySpan<float> bias, ReadOnlySpan<float> peephole, ReadOnlySpan<float> cPrev, Span<float> cNew, Span<float> hNew,
        int batch, int paddedUnits, EpilogueOptions options, UnitRange? units = null)
    {
        int hp = paddedUnits;
        if (hp % Isa.FloatsPerVector != 0 || gates.Length < batch * 4 * hp || cPrev.Length < batch * hp || cNew.Length < batch * hp
            || hNew.Length < batch * hp || (bias.Length != 0 && bias.Length < 4 * hp) || (peephole.Length != 0 && peephole.Length < 3 * hp))
        {
            throw new ArgumentException(
                $"LSTM epilogue expects gates [{batch}, {4 * hp}], states [{batch}, {hp}], bias [{4 * hp}] or none, peephole [{3 * hp}] or none.");
        }

        var kernel = new Kernel
        {
            Gates = gates, Bias = bias, Peephole = peephole, CPrev = cPrev, CNew = cNew, HNew = hNew, Batch = batch, Hp = hp, Options = options,
            Units = UnitRange.Check(units, hp),
        };
        SimdDispatch.Run(ref kernel);
    }

    private ref struct Kernel : ICellKernel
    {
        public Span<float> Gates;            // [batch, 4*Hp]
        public ReadOnlySpan<float> Bias;     // [4*Hp] or empty
        public ReadOnlySpan<float> Peephole; // [3*Hp] or empty
        public ReadOnlySpan<float> CPrev;    // [batch, Hp]
        public Span<float> CNew;             // [batch, Hp]
        public Span<float> HNew;             // [batch, Hp]
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
            Span<float> gates = Gates, cNew = CNew, hNew = HNew;
            ReadOnlySpan<float> bias = Bias, peephole = Peephole, cPrev = CPrev;
            int batch = Batch, hp = Hp, first = Units.First, end = Units.End;
            float clip = Options.Clip;
            bool coupled = Options.CoupledInputForget;
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
                for (int u = first; u < end; u += n)
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
                }

                // h' in a second pass over the row: in the same loop, tanh(c') waited on the chain
                // through the gates' activations, and that long chain filled the out-of-order window
                // with waiting work; apart, each pass is independent vectors (the epilogue ran 9-28 %
                // faster across the paths, EpilogueBenchmarks; c' and o are still in L1).
                for (int u = first; u < end; u += n)
                {
                    TVec o = TOps.Load(ref Unsafe.Add(ref g, (4 * u) + (3 * n)));
                    TVec c2 = TOps.Load(ref Unsafe.Add(ref cn, u));
                    TOps.Store(TOps.Multiply(o, fun.CellOutput(c2)), ref Unsafe.Add(ref hn, u));
                }
            }
        }
    }
}

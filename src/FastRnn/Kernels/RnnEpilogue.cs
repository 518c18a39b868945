using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastRnn.Kernels;

/// <summary>The vanilla RNN step after the matrix products: h' = act(W_ih x + W_hh h + b).</summary>
internal static class RnnEpilogue
{
    /// <summary>Runs the epilogue for <paramref name="batch"/> rows.</summary>
    /// <param name="preactivation">[batch, stride] W_ih x + W_hh h in natural order.</param>
    /// <param name="stride">Row stride of preactivation and hNew (a multiple of the vector width).</param>
    /// <param name="bias">[stride] b_ih + b_hh, or empty.</param>
    /// <param name="hNew">[batch, stride] the new state (may be the same memory as the pre-activation).</param>
    /// <param name="batch">Rows.</param>
    /// <param name="options">The clip and the function (tanh, relu or an ONNX one) of the layer direction.</param>
    /// <param name="units">The units of every row to run (one thread's share), or null for all.</param>
    public static void Forward(ReadOnlySpan<float> preactivation, int stride, ReadOnlySpan<float> bias, Span<float> hNew, int batch, EpilogueOptions options, UnitRange? units = null)
    {
        if (stride % Isa.FloatsPerVector != 0 || preactivation.Length < batch * stride || hNew.Length < batch * stride
            || (bias.Length != 0 && bias.Length < stride))
        {
            throw new ArgumentException($"RNN epilogue expects pre-activations and states [{batch}, {stride}] and bias [{stride}] or none.");
        }

        var kernel = new Kernel
        {
            Preactivation = preactivation, Stride = stride, Bias = bias, HNew = hNew, Batch = batch, Options = options,
            Units = UnitRange.Check(units, stride),
        };
        SimdDispatch.Run(ref kernel);
    }

    private ref struct Kernel : ICellKernel
    {
        public ReadOnlySpan<float> Preactivation; // [batch, stride]
        public int Stride;
        public ReadOnlySpan<float> Bias;          // [stride] or empty
        public Span<float> HNew;                  // [batch, stride]
        public int Batch;
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
            ReadOnlySpan<float> preactivation = Preactivation, bias = Bias;
            Span<float> hNew = HNew;
            int stride = Stride, batch = Batch, first = Units.First, end = Units.End;
            float clip = Options.Clip;
            int n = TOps.Count;
            var limit = new PreActivationClip<TOps, TVec>(clip);
            bool hasBias = !bias.IsEmpty;
            ref float bBase = ref MemoryMarshal.GetReference(bias);
            for (int b = 0; b < batch; b++)
            {
                ref float pre = ref MemoryMarshal.GetReference(preactivation.Slice(b * stride));
                ref float h = ref MemoryMarshal.GetReference(hNew.Slice(b * stride));
                for (int u = first; u < end; u += n)
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
}

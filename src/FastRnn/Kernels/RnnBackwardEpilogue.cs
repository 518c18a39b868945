using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastRnn.Kernels;

/// <summary>Backward of the vanilla RNN epilogue: dpre = dh ⊙ act'(pre), from the saved output h' = act(pre).</summary>
internal static class RnnBackwardEpilogue
{
    /// <summary>Runs the backward epilogue for <paramref name="batch"/> rows.</summary>
    /// <param name="activations">[batch, stride] saved h' = act(pre).</param>
    /// <param name="dh">[batch, stride] gradient of h'.</param>
    /// <param name="dPre">[batch, dPreStride] out: gradient of the pre-activation in the first <paramref name="stride"/> of each row
    /// (may be the same memory as dh when the strides agree).</param>
    /// <param name="stride">Row stride of the activations and of dh, a multiple of the vector width.</param>
    /// <param name="dPreStride">Row stride of dPre, at least <paramref name="stride"/> and a multiple of the vector width (the training workspace pads it).</param>
    /// <param name="batch">Rows.</param>
    /// <param name="options">The layer direction's options: tanh or relu (only the standard cell has a backward).</param>
    public static void Backward(
        ReadOnlySpan<float> activations, ReadOnlySpan<float> dh, Span<float> dPre, int stride, int dPreStride, int batch, EpilogueOptions options)
    {
        options.RequireBackward(reluCandidate: true);
        if (stride % Isa.FloatsPerVector != 0 || activations.Length < batch * stride || dh.Length < batch * stride || dPreStride < stride
            || dPreStride % Isa.FloatsPerVector != 0 || dPre.Length < ((batch - 1) * dPreStride) + stride)
        {
            throw new ArgumentException(
                $"RNN backward expects [{batch}, {stride}] activations and gradients (pre-activation gradient row stride {dPreStride}: at least {stride}, whole vectors).");
        }

        var kernel = new Kernel
        {
            Activations = activations, Dh = dh, DPre = dPre, Stride = stride, DPreStride = dPreStride, Batch = batch,
            Relu = options.FunctionSet == CellFunctionSet.ReluCandidate,
        };
        SimdDispatch.Run(ref kernel);
    }

    private ref struct Kernel : ISimdKernel
    {
        public ReadOnlySpan<float> Activations; // [batch, Stride]
        public ReadOnlySpan<float> Dh;          // [batch, Stride]
        public Span<float> DPre;                // [batch, DPreStride]
        public int Stride;
        public int DPreStride;
        public int Batch;
        public bool Relu;

        public readonly void Run<TOps, TVec>()
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
        {
            // Locals, not fields, in the loops: the JIT keeps them in registers.
            ReadOnlySpan<float> activations = Activations, dh = Dh;
            Span<float> dPre = DPre;
            int stride = Stride, dPreStride = DPreStride, batch = Batch;
            int n = TOps.Count;
            bool relu = Relu;
            TVec one = TOps.Broadcast(1f);
            for (int b = 0; b < batch; b++)
            {
                ref float a = ref MemoryMarshal.GetReference(activations.Slice(b * stride));
                ref float d = ref MemoryMarshal.GetReference(dh.Slice(b * stride));
                ref float o = ref MemoryMarshal.GetReference(dPre.Slice(b * dPreStride));
                for (int i = 0; i < stride; i += n)
                {
                    TVec h = TOps.Load(ref Unsafe.Add(ref a, i));
                    TVec g = TOps.Load(ref Unsafe.Add(ref d, i));
                    TVec r = relu
                        ? TOps.Select(TOps.LessThan(TOps.Zero, h), g, TOps.Zero)
                        : TOps.Multiply(g, TOps.Subtract(one, TOps.Multiply(h, h)));
                    TOps.Store(r, ref Unsafe.Add(ref o, i));
                }
            }
        }
    }
}

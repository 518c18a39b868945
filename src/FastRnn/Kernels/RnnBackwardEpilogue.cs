using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FastRnn.Kernels;

/// <summary>Backward of the vanilla RNN epilogue: dpre = dh ⊙ act'(pre), from the saved output h' = act(pre).</summary>
internal static class RnnBackwardEpilogue
{
    /// <summary>Runs the backward epilogue for <paramref name="batch"/> rows.</summary>
    /// <param name="activations">[batch, stride] saved h' = act(pre).</param>
    /// <param name="dh">[batch, stride] gradient of h'.</param>
    /// <param name="dPre">[batch, stride] out: gradient of the pre-activation (may be the same memory as dh).</param>
    /// <param name="stride">Row stride, a multiple of the vector width.</param>
    /// <param name="batch">Rows.</param>
    /// <param name="activation">tanh or relu.</param>
    public static void Backward(ReadOnlySpan<float> activations, ReadOnlySpan<float> dh, Span<float> dPre, int stride, int batch, RnnActivation activation)
    {
        if (stride % Isa.FloatsPerVector != 0 || activations.Length < batch * stride || dh.Length < batch * stride || dPre.Length < batch * stride)
        {
            throw new ArgumentException($"RNN backward expects [{batch}, {stride}] activations and gradients.");
        }

        switch (Isa.Active)
        {
            case SimdPath.Vector512:
                Run<Vector512Ops, Vector512<float>>(activations, dh, dPre, batch * stride, activation);
                break;
            case SimdPath.Vector256:
                Run<Vector256Ops, Vector256<float>>(activations, dh, dPre, batch * stride, activation);
                break;
            case SimdPath.Vector128:
                Run<Vector128Ops, Vector128<float>>(activations, dh, dPre, batch * stride, activation);
                break;
            default:
                Run<ScalarOps, float>(activations, dh, dPre, batch * stride, activation);
                break;
        }
    }

    private static void Run<TOps, TVec>(ReadOnlySpan<float> activations, ReadOnlySpan<float> dh, Span<float> dPre, int count, RnnActivation activation)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        int n = TOps.Count;
        bool relu = activation == RnnActivation.Relu;
        TVec one = TOps.Broadcast(1f);
        ref float a = ref MemoryMarshal.GetReference(activations);
        ref float d = ref MemoryMarshal.GetReference(dh);
        ref float o = ref MemoryMarshal.GetReference(dPre);
        for (int i = 0; i < count; i += n)
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

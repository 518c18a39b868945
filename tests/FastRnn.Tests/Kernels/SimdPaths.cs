using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FastRnn.Kernels;

namespace FastRnn.Tests.Kernels;

/// <summary>The vector paths this CPU can run in-process, so every path is tested on every leg.</summary>
internal static class SimdPaths
{
    public static IEnumerable<SimdPath> Available()
    {
        yield return SimdPath.Scalar;
        if (Vector128.IsHardwareAccelerated)
        {
            yield return SimdPath.Vector128;
        }

        if (Vector256.IsHardwareAccelerated)
        {
            yield return SimdPath.Vector256;
        }

        if (Vector512.IsHardwareAccelerated)
        {
            yield return SimdPath.Vector512;
        }
    }

    public static void Activation(SimdPath path, Activations.Kind kind, ReadOnlySpan<float> x, Span<float> y) => Activations.Apply(path, kind, x, y);

    /// <summary>The activation quantizer of the int8 kernel on a path: the bits of max |x|, then q = round(x · inverse).</summary>
    public static int QuantizeInt16(SimdPath path, Span<float> x, float inverse, Span<short> q)
    {
        var kernel = new Quantizer { X = x, Inverse = inverse, Q = q };
        SimdDispatch.Run(path, ref kernel);
        return kernel.Bits;
    }

    /// <summary>y += W x on a path, or y = W x (<see cref="ProductWrite.Stream"/>: y pinned and vector-aligned).</summary>
    public static void MatMul(
        SimdPath path, PackedMatrix w, ReadOnlySpan<float> x, int xStride, int batch, Span<float> y, int yStride, ProductWrite write = ProductWrite.Accumulate) =>
        PackedMatMul.ByShape(path, w, x, xStride, batch, y, yStride, write);

    private ref struct Quantizer : ISimdKernel
    {
        public Span<float> X;
        public float Inverse;
        public Span<short> Q;
        public int Bits;

        public void Run<TOps, TVec>()
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
        {
            ref float x0 = ref MemoryMarshal.GetReference(X);
            Int16Rows.Quantize<TOps, TVec>(ref x0, X.Length, Inverse, ref MemoryMarshal.GetReference(Q));
            Bits = Int16Rows.MaxAbsBits<TOps, TVec>(ref x0, X.Length);
        }
    }
}

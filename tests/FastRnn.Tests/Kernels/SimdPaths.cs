using System;
using System.Collections.Generic;
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

    public static void Activation(SimdPath path, Activations.Kind kind, ReadOnlySpan<float> x, Span<float> y)
    {
        switch (path)
        {
            case SimdPath.Vector512: Activations.Run<Vector512Ops, Vector512<float>>(kind, x, y); break;
            case SimdPath.Vector256: Activations.Run<Vector256Ops, Vector256<float>>(kind, x, y); break;
            case SimdPath.Vector128: Activations.Run<Vector128Ops, Vector128<float>>(kind, x, y); break;
            default: Activations.Run<ScalarOps, float>(kind, x, y); break;
        }
    }

    /// <summary>The activation quantizer of the int8 kernel on a path: the bits of max |x|, then q = round(x · inverse).</summary>
    public static int QuantizeInt16(SimdPath path, Span<float> x, float inverse, Span<short> q)
    {
        ref float x0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
        ref short q0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(q);
        switch (path)
        {
            case SimdPath.Vector512: Int16Rows.Quantize512(ref x0, x.Length, inverse, ref q0); return Int16Rows.MaxAbsBits512(ref x0, x.Length);
            case SimdPath.Vector256: Int16Rows.Quantize256(ref x0, x.Length, inverse, ref q0); return Int16Rows.MaxAbsBits256(ref x0, x.Length);
            case SimdPath.Vector128: Int16Rows.Quantize128(ref x0, x.Length, inverse, ref q0); return Int16Rows.MaxAbsBits128(ref x0, x.Length);
            default: Int16Rows.QuantizeScalar(ref x0, x.Length, inverse, ref q0); return Int16Rows.MaxAbsBitsScalar(ref x0, x.Length);
        }
    }

    /// <summary>y += W x on a path, or y = W x (<see cref="ProductWrite.Stream"/>: y pinned and vector-aligned).</summary>
    public static void MatMul(SimdPath path, PackedMatrix w, ReadOnlySpan<float> x, int xStride, int batch, Span<float> y, int yStride, ProductWrite write = ProductWrite.Accumulate)
    {
        switch (path)
        {
            case SimdPath.Vector512: PackedMatMul.ByShape<Vector512Ops, Vector512<float>>(w, x, xStride, batch, y, yStride, write); break;
            case SimdPath.Vector256: PackedMatMul.ByShape<Vector256Ops, Vector256<float>>(w, x, xStride, batch, y, yStride, write); break;
            case SimdPath.Vector128: PackedMatMul.ByShape<Vector128Ops, Vector128<float>>(w, x, xStride, batch, y, yStride, write); break;
            default: PackedMatMul.ByShape<ScalarOps, float>(w, x, xStride, batch, y, yStride, write); break;
        }
    }
}

using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FastRnn.Networks;

namespace FastRnn.Kernels;

/// <summary>Span entry points for the activation functions (any length; the tail runs scalar).</summary>
internal static class Activations
{
    /// <summary>The function to apply.</summary>
    public enum Kind
    {
        Sigmoid,
        Tanh,
        Relu,
    }

    /// <summary>destination[i] = f(source[i]); the spans may be the same memory.</summary>
    public static void Apply(Kind kind, ReadOnlySpan<float> source, Span<float> destination)
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException($"Destination holds {destination.Length} floats, source {source.Length}.", nameof(destination));
        }

        switch (Isa.Active)
        {
            case SimdPath.Vector512:
                Run<Vector512Ops, Vector512<float>>(kind, source, destination);
                break;
            case SimdPath.Vector256:
                Run<Vector256Ops, Vector256<float>>(kind, source, destination);
                break;
            case SimdPath.Vector128:
                Run<Vector128Ops, Vector128<float>>(kind, source, destination);
                break;
            default:
                Run<ScalarOps, float>(kind, source, destination);
                break;
        }
    }

    /// <summary>The same on an explicit path (tests run every path the CPU has in one process).</summary>
    internal static void Run<TOps, TVec>(Kind kind, ReadOnlySpan<float> source, Span<float> destination)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        ref float src = ref MemoryMarshal.GetReference(source);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        int n = TOps.Count;
        int i = 0;
        for (; i + n <= source.Length; i += n)
        {
            TOps.Store(One<TOps, TVec>(kind, TOps.Load(ref Unsafe.Add(ref src, i))), ref Unsafe.Add(ref dst, i));
        }

        for (; i < source.Length; i++)
        {
            Unsafe.Add(ref dst, i) = One<ScalarOps, float>(kind, Unsafe.Add(ref src, i));
        }
    }

    /// <summary>destination[i] = f(source[i]) for an ONNX activation on the active path; the spans may be the same memory.</summary>
    public static void Apply(Activation function, ReadOnlySpan<float> source, Span<float> destination)
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException($"Destination holds {destination.Length} floats, source {source.Length}.", nameof(destination));
        }

        switch (Isa.Active)
        {
            case SimdPath.Vector512:
                Run<Vector512Ops, Vector512<float>>(function, source, destination);
                break;
            case SimdPath.Vector256:
                Run<Vector256Ops, Vector256<float>>(function, source, destination);
                break;
            case SimdPath.Vector128:
                Run<Vector128Ops, Vector128<float>>(function, source, destination);
                break;
            default:
                Run<ScalarOps, float>(function, source, destination);
                break;
        }
    }

    /// <summary>destination[i] = f(source[i]) for an ONNX activation, on an explicit path (the function the epilogues apply for it).</summary>
    internal static void Run<TOps, TVec>(Activation function, ReadOnlySpan<float> source, Span<float> destination)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
    {
        var vector = new VectorActivation<TOps, TVec>(function);
        var scalar = new VectorActivation<ScalarOps, float>(function);
        ref float src = ref MemoryMarshal.GetReference(source);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        int n = TOps.Count;
        int i = 0;
        for (; i + n <= source.Length; i += n)
        {
            TOps.Store(vector.Apply(TOps.Load(ref Unsafe.Add(ref src, i))), ref Unsafe.Add(ref dst, i));
        }

        for (; i < source.Length; i++)
        {
            Unsafe.Add(ref dst, i) = scalar.Apply(Unsafe.Add(ref src, i));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec One<TOps, TVec>(Kind kind, TVec x)
        where TOps : struct, ISimdOps<TVec>
        where TVec : struct
        => kind switch
        {
            Kind.Sigmoid => ActivationMath.Sigmoid<TOps, TVec>(x),
            Kind.Tanh => ActivationMath.Tanh<TOps, TVec>(x),
            _ => ActivationMath.Relu<TOps, TVec>(x),
        };
}

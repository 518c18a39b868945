using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    public static void Apply(Kind kind, ReadOnlySpan<float> source, Span<float> destination) => Apply(Isa.Active, kind, source, destination);

    /// <summary>The same on an explicit path (tests run every path the CPU has in one process).</summary>
    internal static void Apply(SimdPath path, Kind kind, ReadOnlySpan<float> source, Span<float> destination)
    {
        Validate(source, destination);
        var kernel = new KindKernel { Kind = kind, Source = source, Destination = destination };
        SimdDispatch.Run(path, ref kernel);
    }

    /// <summary>destination[i] = f(source[i]) for an ONNX activation on the active path; the spans may be the same memory.</summary>
    public static void Apply(Activation function, ReadOnlySpan<float> source, Span<float> destination) => Apply(Isa.Active, function, source, destination);

    /// <summary>The same on an explicit path: the function the epilogues apply for it.</summary>
    internal static void Apply(SimdPath path, Activation function, ReadOnlySpan<float> source, Span<float> destination)
    {
        Validate(source, destination);
        var kernel = new FunctionKernel { Function = function, Source = source, Destination = destination };
        SimdDispatch.Run(path, ref kernel);
    }

    private static void Validate(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException($"Destination holds {destination.Length} floats, source {source.Length}.", nameof(destination));
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

    private ref struct KindKernel : ISimdKernel
    {
        public Kind Kind;
        public ReadOnlySpan<float> Source; // [length]
        public Span<float> Destination;    // [at least length]

        public readonly void Run<TOps, TVec>()
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
        {
            // Locals, not fields, in the loops: the JIT keeps them in registers.
            Kind kind = Kind;
            ReadOnlySpan<float> source = Source;
            Span<float> destination = Destination;
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
    }

    private ref struct FunctionKernel : ISimdKernel
    {
        public Activation Function;
        public ReadOnlySpan<float> Source; // [length]
        public Span<float> Destination;    // [at least length]

        public readonly void Run<TOps, TVec>()
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
        {
            // Locals, not fields, in the loops: the JIT keeps them in registers.
            Activation function = Function;
            ReadOnlySpan<float> source = Source;
            Span<float> destination = Destination;
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
    }
}

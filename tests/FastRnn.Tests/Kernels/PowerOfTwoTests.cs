using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastRnn.Kernels;
using Xunit;

namespace FastRnn.Tests.Kernels;

/// <summary>
/// 2^n and value × 2^n, which every exp is built on, are exact on every path for the integral n
/// the activations pass: the 512-bit path's one-instruction scaling must give the very bits that
/// building 2^n and multiplying gives, or the activations' tested error bounds would not carry.
/// </summary>
public sealed class PowerOfTwoTests
{
    [Theory]
    [MemberData(nameof(ActivationAccuracyTests.Paths), MemberType = typeof(ActivationAccuracyTests))]
    public void ScalingByAPowerOfTwoIsExactOnEveryPath(SimdPath path)
    {
        // Every n in [-126, 127] against values from [1, 2) and (-2, -1]: their products are normal
        // floats there (down to 2^-126), so the exact product is the only right answer.
        var random = new Random(7);
        const int count = 254 * 16;
        float[] value = new float[count];    // [count]
        float[] exponent = new float[count]; // [count] integral
        for (int k = 0; k < count; k++)
        {
            value[k] = (float)((1 + random.NextDouble()) * (random.Next(2) == 0 ? 1 : -1));
            exponent[k] = -126 + (k % 254);
        }

        float[] scaled = new float[count]; // [count]
        float[] power = new float[count];  // [count]
        var kernel = new Scaling { Value = value, Exponent = exponent, Scaled = scaled, Power = power };
        SimdDispatch.Run(path, ref kernel);

        for (int k = 0; k < count; k++)
        {
            int n = (int)exponent[k];
            float expectedPower = (float)Math.ScaleB(1.0, n);
            float expectedScaled = (float)Math.ScaleB(value[k], n);
            Assert.True(
                BitConverter.SingleToInt32Bits(power[k]) == BitConverter.SingleToInt32Bits(expectedPower),
                $"{path}: Pow2({n}) = {power[k]:R}, expected {expectedPower:R}");
            Assert.True(
                BitConverter.SingleToInt32Bits(scaled[k]) == BitConverter.SingleToInt32Bits(expectedScaled),
                $"{path}: ScaleByPow2({value[k]:R}, {n}) = {scaled[k]:R}, expected {expectedScaled:R}");
        }
    }

    private ref struct Scaling : ISimdKernel
    {
        public ReadOnlySpan<float> Value;    // [count]
        public ReadOnlySpan<float> Exponent; // [count]
        public Span<float> Scaled;           // [count]
        public Span<float> Power;            // [count]

        public readonly void Run<TOps, TVec>()
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
        {
            ref float v = ref MemoryMarshal.GetReference(Value);
            ref float e = ref MemoryMarshal.GetReference(Exponent);
            ref float s = ref MemoryMarshal.GetReference(Scaled);
            ref float p = ref MemoryMarshal.GetReference(Power);
            for (int k = 0; k + TOps.Count <= Value.Length; k += TOps.Count)
            {
                TVec n = TOps.Load(ref Unsafe.Add(ref e, k));
                TOps.Store(TOps.ScaleByPow2(TOps.Load(ref Unsafe.Add(ref v, k)), n), ref Unsafe.Add(ref s, k));
                TOps.Store(TOps.Pow2(n), ref Unsafe.Add(ref p, k));
            }
        }
    }
}

using System;
using System.Runtime.InteropServices;
using FastRnn.Kernels;
using Xunit;

namespace FastRnn.Tests.Kernels;

/// <summary>
/// ONNX's cell clip on every vector path: both bounds, and NaN kept as NaN. The clip rests on the native
/// min/max of each path returning their second operand when either is NaN; the network tests run only
/// the process's path, so a path whose min or max handled NaN the other way would pass every leg but its own.
/// </summary>
public sealed class PreActivationClipPathTests
{
    private const int Length = 64; // whole vectors on every path

    [Fact]
    public void ClipBoundsBothSidesAndKeepsNaNOnEveryPath()
    {
        const float limit = 3f;
        float[] x = new float[Length];
        float[] special = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, -float.MaxValue, 3f, -3f, 0f, -0f, 1e-40f, -2.5f, 7f, -7f];
        var random = new Random(11);
        for (int i = 0; i < Length; i++)
        {
            // Every special value in every lane position of every width, the rest ordinary.
            x[i] = i % 5 == 0 ? special[(i / 5) % special.Length] : (float)((random.NextDouble() * 20.0) - 10.0);
        }

        foreach (SimdPath path in SimdPaths.Available())
        {
            float[] y = Apply(path, x, limit);
            for (int i = 0; i < Length; i++)
            {
                float expected = float.IsNaN(x[i]) ? float.NaN : Math.Clamp(x[i], -limit, limit);
                Assert.True(
                    float.IsNaN(expected) ? float.IsNaN(y[i]) : y[i] == expected,
                    $"{path}: clip to ±{limit} of {x[i]} at lane {i} gave {y[i]}, expected {expected}");
            }
        }
    }

    private static float[] Apply(SimdPath path, float[] x, float limit)
    {
        float[] y = new float[x.Length];
        var kernel = new ClipKernel { X = x, Y = y, Limit = limit };
        SimdDispatch.Run(path, ref kernel);
        return y;
    }

    private ref struct ClipKernel : ISimdKernel
    {
        public ReadOnlySpan<float> X;
        public Span<float> Y;
        public float Limit;

        public readonly void Run<TOps, TVec>()
            where TOps : struct, ISimdOps<TVec>
            where TVec : struct
        {
            var clip = new PreActivationClip<TOps, TVec>(Limit);
            Assert.True(clip.Enabled);
            ref float x = ref MemoryMarshal.GetReference(X);
            ref float y = ref MemoryMarshal.GetReference(Y);
            for (int i = 0; i < X.Length; i += TOps.Count)
            {
                TOps.Store(clip.Apply(TOps.Load(ref System.Runtime.CompilerServices.Unsafe.Add(ref x, i))), ref System.Runtime.CompilerServices.Unsafe.Add(ref y, i));
            }
        }
    }
}

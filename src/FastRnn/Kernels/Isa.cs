using System.Runtime.Intrinsics;

namespace FastRnn.Kernels;

/// <summary>
/// The instruction-set path every kernel uses in this process. It is read from the runtime's
/// view of the hardware (which honours <c>DOTNET_EnableAVX512=0</c>, <c>DOTNET_EnableAVX2=0</c>
/// and <c>DOTNET_EnableHWIntrinsic=0</c>) once, at type initialisation, so the JIT folds every
/// dispatch on it into a direct call.
/// </summary>
public static class Isa
{
    /// <summary>The widest accelerated vector path, fixed for the process lifetime.</summary>
    public static readonly SimdPath Active = Detect();

    /// <summary>Floats per vector on <see cref="Active"/> (16, 8, 4, or 1 for scalar).</summary>
    public static int FloatsPerVector => WidthOf(Active);

    /// <summary>Floats per vector of the given path.</summary>
    /// <param name="path">The path.</param>
    /// <returns>16, 8, 4, or 1.</returns>
    public static int WidthOf(SimdPath path) => path switch
    {
        SimdPath.Vector512 => 16,
        SimdPath.Vector256 => 8,
        SimdPath.Vector128 => 4,
        _ => 1,
    };

    /// <summary>Whether the CPU executes fused multiply-add in hardware on the active path.</summary>
    public static bool HasHardwareFma =>
        System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported;

    private static SimdPath Detect()
    {
        if (Vector512.IsHardwareAccelerated)
        {
            return SimdPath.Vector512;
        }

        if (Vector256.IsHardwareAccelerated)
        {
            return SimdPath.Vector256;
        }

        return Vector128.IsHardwareAccelerated ? SimdPath.Vector128 : SimdPath.Scalar;
    }
}

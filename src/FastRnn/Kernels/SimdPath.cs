namespace FastRnn.Kernels;

/// <summary>The vector instruction path the kernels run on, chosen once per process.</summary>
public enum SimdPath
{
    /// <summary>Plain scalar code: no hardware intrinsics.</summary>
    Scalar = 0,

    /// <summary>128-bit vectors (SSE/AVX on x86, NEON on ARM64): 4 floats per vector.</summary>
    Vector128 = 1,

    /// <summary>256-bit vectors (AVX2 + FMA): 8 floats per vector.</summary>
    Vector256 = 2,

    /// <summary>512-bit vectors (AVX-512): 16 floats per vector.</summary>
    Vector512 = 3,
}

namespace FastRnn.IO;

/// <summary>Element types a safetensors tensor can hold (the subset FastRnn understands).</summary>
/// <remarks>See <see cref="SafeTensorsDTypes"/> for element sizes and the header spellings.</remarks>
public enum SafeTensorsDType
{
    /// <summary>IEEE 754 binary32, header name <c>F32</c>.</summary>
    F32,

    /// <summary>IEEE 754 binary64, header name <c>F64</c>.</summary>
    F64,

    /// <summary>IEEE 754 binary16, header name <c>F16</c>.</summary>
    F16,

    /// <summary>bfloat16 (the upper half of a binary32), header name <c>BF16</c>.</summary>
    BF16,

    /// <summary>Signed 64-bit integer, header name <c>I64</c>.</summary>
    I64,

    /// <summary>Signed 32-bit integer, header name <c>I32</c>.</summary>
    I32,

    /// <summary>Signed 8-bit integer, header name <c>I8</c>.</summary>
    I8,

    /// <summary>Unsigned 8-bit integer, header name <c>U8</c>.</summary>
    U8,
}

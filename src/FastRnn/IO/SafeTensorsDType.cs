namespace FastRnn.IO;

/// <summary>
/// Element types a safetensors tensor can hold: every whole-byte type of the format, so a file whose
/// other tensors (a mask, a counter, an fp8 layer) FastRnn does not read still loads; weights are read
/// only from the floating-point types (and int8 with its scales).
/// </summary>
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

    /// <summary>Boolean, one byte each, header name <c>BOOL</c>.</summary>
    Bool,

    /// <summary>Signed 16-bit integer, header name <c>I16</c>.</summary>
    I16,

    /// <summary>Unsigned 16-bit integer, header name <c>U16</c>.</summary>
    U16,

    /// <summary>Unsigned 32-bit integer, header name <c>U32</c>.</summary>
    U32,

    /// <summary>Unsigned 64-bit integer, header name <c>U64</c>.</summary>
    U64,

    /// <summary>8-bit float with 4 exponent and 3 mantissa bits, header name <c>F8_E4M3</c>.</summary>
    F8E4M3,

    /// <summary>8-bit float with 5 exponent and 2 mantissa bits, header name <c>F8_E5M2</c>.</summary>
    F8E5M2,
}

using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace FastRnn.IO;

/// <summary>One tensor's header entry in a safetensors file: name, element type, shape and where its bytes are.</summary>
/// <remarks>Instances are immutable; they are created by <see cref="SafeTensorsFile"/> after validation.</remarks>
public sealed class SafeTensorsEntry
{
    internal SafeTensorsEntry(string name, SafeTensorsDType dtype, int[] shape, long elementCount, long dataBegin, long dataEnd, long headerEnd)
    {
        Name = name;
        DType = dtype;
        // The array is never handed out, so the read-only wrapper makes the shape truly immutable.
        Shape = new ReadOnlyCollection<int>(shape);
        ElementCount = elementCount;
        DataBegin = dataBegin;
        DataEnd = dataEnd;
        FileOffset = headerEnd + dataBegin;
    }

    /// <summary>The tensor's name (its key in the header).</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public SafeTensorsDType DType { get; }

    /// <summary>The dimensions, outermost first (row-major); empty for a scalar.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>The number of elements: the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public long ElementCount { get; }

    /// <summary>Start of the tensor's bytes, relative to the start of the data section (the header's <c>data_offsets[0]</c>).</summary>
    public long DataBegin { get; }

    /// <summary>End (exclusive) of the tensor's bytes, relative to the start of the data section (<c>data_offsets[1]</c>).</summary>
    public long DataEnd { get; }

    /// <summary>The number of bytes the tensor occupies: <see cref="DataEnd"/> - <see cref="DataBegin"/>.</summary>
    public long ByteLength => DataEnd - DataBegin;

    /// <summary>Start of the tensor's bytes from the beginning of the whole file.</summary>
    public long FileOffset { get; }

    /// <summary>Returns a description such as <c>weight_ih_l0 F32 [4, 1]</c>.</summary>
    /// <returns>The name, header dtype name and shape.</returns>
    public override string ToString() => $"{Name} {DType.ToHeaderName()} [{string.Join(", ", Shape)}]";
}

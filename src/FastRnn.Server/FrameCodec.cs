using System;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace FastRnn.Server;

/// <summary>Frames on the wire are float32, little-endian: a reinterpreting copy on little-endian machines, a swap on others.</summary>
internal static class FrameCodec
{
    /// <summary>bytes [4n] to floats [n].</summary>
    public static void ToFloats(ReadOnlySpan<byte> bytes, Span<float> floats)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(bytes).CopyTo(floats);
            return;
        }

        for (int i = 0; i < floats.Length; i++)
        {
            floats[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
        }
    }

    /// <summary>floats [n] to bytes [4n].</summary>
    public static void ToBytes(ReadOnlySpan<float> floats, Span<byte> bytes)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(floats).CopyTo(bytes);
            return;
        }

        for (int i = 0; i < floats.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes[(4 * i)..], floats[i]);
        }
    }
}

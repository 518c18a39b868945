using System;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace FastRnn.IO;

/// <summary>
/// Converts between little-endian element bytes (as stored in safetensors) and numbers. Same-type
/// copies are one memory copy (with each element's bytes reversed on a big-endian host); widening
/// and narrowing go element by element through <see cref="BinaryPrimitives"/>, which never assumes
/// alignment.
/// </summary>
internal static class LittleEndianConverter
{
    /// <summary>Elements stored as <typeparamref name="T"/> into a span of <typeparamref name="T"/> (F32, F64, I64 read as they are).</summary>
    public static void Copy<T>(ReadOnlySpan<byte> source, Span<T> destination)
        where T : unmanaged
    {
        Span<byte> bytes = MemoryMarshal.AsBytes(destination);
        source.CopyTo(bytes);
        ToHostOrder<T>(bytes);
    }

    public static void Float64ToSingle(ReadOnlySpan<byte> source, Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(source.Slice(i * sizeof(double)));
        }
    }

    public static void BFloat16ToSingle(ReadOnlySpan<byte> source, Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            // bfloat16 is the upper 16 bits of a binary32, so widening is a shift.
            int bits = BinaryPrimitives.ReadUInt16LittleEndian(source.Slice(i * sizeof(ushort))) << 16;
            destination[i] = BitConverter.Int32BitsToSingle(bits);
        }
    }

    public static void Float16ToSingle(ReadOnlySpan<byte> source, Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(source.Slice(i * sizeof(ushort)));
        }
    }

    public static void Float32ToDouble(ReadOnlySpan<byte> source, Span<double> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source.Slice(i * sizeof(float)));
        }
    }

    public static void Int32ToInt64(ReadOnlySpan<byte> source, Span<long> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadInt32LittleEndian(source.Slice(i * sizeof(int)));
        }
    }

    /// <summary>The little-endian bytes of <paramref name="values"/>, in a new array.</summary>
    public static byte[] ToBytes<T>(ReadOnlySpan<T> values)
        where T : unmanaged
    {
        byte[] bytes = MemoryMarshal.AsBytes(values).ToArray();
        ToHostOrder<T>(bytes);
        return bytes;
    }

    // Reverses each element's bytes on a big-endian host (the same swap both ways); nothing on a little-endian one.
    private static unsafe void ToHostOrder<T>(Span<byte> bytes)
        where T : unmanaged
    {
        if (BitConverter.IsLittleEndian)
        {
            return;
        }

        for (int at = 0; at < bytes.Length; at += sizeof(T))
        {
            bytes.Slice(at, sizeof(T)).Reverse();
        }
    }
}

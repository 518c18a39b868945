using System;
using System.Buffers.Binary;
using System.Text;

namespace FastRnn.Tests.Reliability.Fuzzing;

/// <summary>
/// Deterministic mutations of a valid file, aimed at what breaks readers: lying header lengths,
/// numbers swapped for huge, negative or fractional ones (shapes whose product overflows,
/// offsets out of range or overlapping), other dtypes, invalid UTF-8, deep nesting, truncation,
/// insertions, deletions and plain bit flips. Each mutant stacks one to four of them.
/// </summary>
internal sealed class ByteMutator
{
    private static readonly string[] InterestingNumbers =
    [
        "0", "1", "-1", "2", "3", "4", "16", "255", "256", "65536", "2147483647", "2147483648", "4294967295",
        "4294967296", "9223372036854775807", "9223372036854775808", "18446744073709551615", "-9223372036854775808",
        "1e9", "1e400", "1.5", "0.0", "-0", "00", "1E3", "99999999999999999999999999",
    ];

    private static readonly string[] DTypes = ["F32", "F64", "F16", "BF16", "I64", "I32", "I8", "U8", "BOOL", "f32", "F8_E4M3", "", "F32\u0000"];

    private static readonly byte[] StructuralBytes = "\"{}[],:0-.e\\ \u007f"u8.ToArray();

    private static readonly byte[][] BadUtf8 = [[0xC0, 0x80], [0xFF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80]];

    private readonly Random random;

    public ByteMutator(int seed) => random = new Random(seed);

    /// <summary>A new mutant of <paramref name="seed"/> (which is not changed).</summary>
    public byte[] Mutate(byte[] seed)
    {
        byte[] bytes = (byte[])seed.Clone();
        int count = 1 + random.Next(4);
        for (int i = 0; i < count; i++)
        {
            bytes = MutateOnce(bytes);
        }

        return bytes;
    }

    private byte[] MutateOnce(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return [(byte)random.Next(256)];
        }

        switch (random.Next(13))
        {
            case 0:
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return bytes;
            case 1:
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                return bytes;
            case 2:
                bytes[HeaderPosition(bytes)] = StructuralBytes[random.Next(StructuralBytes.Length)];
                return bytes;
            case 3:
                return bytes.AsSpan(0, random.Next(bytes.Length)).ToArray();
            case 4:
                return LieAboutHeaderLength(bytes);
            case 5:
            case 6:
                return ReplaceNumber(bytes);
            case 7:
                return ReplaceDType(bytes);
            case 8:
                return Insert(bytes, BadUtf8[random.Next(BadUtf8.Length)], HeaderPosition(bytes));
            case 9:
                return Nest(bytes);
            case 10:
                return Delete(bytes);
            case 11:
                return DuplicateChunk(bytes);
            default:
                return ReplaceString(bytes);
        }
    }

    private int HeaderPosition(byte[] bytes)
    {
        int end = Math.Min(bytes.Length, 8 + (int)Math.Min(HeaderLength(bytes), int.MaxValue - 8));
        return end > 8 ? 8 + random.Next(end - 8) : random.Next(bytes.Length);
    }

    private static ulong HeaderLength(byte[] bytes) =>
        bytes.Length >= 8 ? BinaryPrimitives.ReadUInt64LittleEndian(bytes) : 0;

    private byte[] LieAboutHeaderLength(byte[] bytes)
    {
        if (bytes.Length < 8)
        {
            return bytes;
        }

        ulong length = HeaderLength(bytes);
        ulong lie = random.Next(6) switch
        {
            0 => length + (ulong)random.Next(1, 9),
            1 => length - (ulong)random.Next(1, 9),
            2 => (ulong)bytes.Length,
            3 => ulong.MaxValue - (ulong)random.Next(16),
            4 => (ulong)random.NextInt64(),
            _ => 0,
        };
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, lie);
        return bytes;
    }

    /// <summary>Swaps a run of digits in the header (a shape, an offset, a metadata value) for an interesting number.</summary>
    private byte[] ReplaceNumber(byte[] bytes)
    {
        int start = FindInHeader(bytes, static b => b is >= (byte)'0' and <= (byte)'9');
        if (start < 0)
        {
            return bytes;
        }

        int end = start;
        while (end < bytes.Length && bytes[end] is >= (byte)'0' and <= (byte)'9')
        {
            end++;
        }

        return Splice(bytes, start, end, Encoding.ASCII.GetBytes(InterestingNumbers[random.Next(InterestingNumbers.Length)]));
    }

    private byte[] ReplaceDType(byte[] bytes)
    {
        int at = IndexOf(bytes, "\"dtype\":\""u8, random.Next(Math.Max(1, bytes.Length)));
        at = at < 0 ? IndexOf(bytes, "\"dtype\":\""u8, 0) : at;
        if (at < 0)
        {
            return bytes;
        }

        int start = at + 9;
        int end = Array.IndexOf(bytes, (byte)'"', start);
        return end < 0 ? bytes : Splice(bytes, start, end, Encoding.UTF8.GetBytes(DTypes[random.Next(DTypes.Length)]));
    }

    /// <summary>Replaces the contents of a string in the header (a name, a key, a metadata value).</summary>
    private byte[] ReplaceString(byte[] bytes)
    {
        int start = FindInHeader(bytes, static b => b == (byte)'"');
        if (start < 0)
        {
            return bytes;
        }

        int end = Array.IndexOf(bytes, (byte)'"', start + 1);
        if (end < 0)
        {
            return bytes;
        }

        string[] choices = ["", "__metadata__", "weight_ih_l0", "input", "mode", "LSTM", "GRU", "true", "1", "\\u0000", "\\ud800", "\\\"", "data_offsets", "shape"];
        return Splice(bytes, start + 1, end, Encoding.UTF8.GetBytes(choices[random.Next(choices.Length)]));
    }

    /// <summary>Wraps a header position in deep brackets: depth around the reader's limit, or far beyond it.</summary>
    private byte[] Nest(byte[] bytes)
    {
        int depth = random.Next(3) switch
        {
            0 => random.Next(1, 80),
            1 => 60 + random.Next(10),
            _ => random.Next(1000, 20000),
        };
        byte open = random.Next(2) == 0 ? (byte)'[' : (byte)'{';
        var nest = new byte[depth * 2];
        for (int i = 0; i < depth; i++)
        {
            nest[i] = open;
            nest[(2 * depth) - 1 - i] = open == (byte)'[' ? (byte)']' : (byte)'}';
        }

        byte[] result = Insert(bytes, nest, HeaderPosition(bytes));
        if (random.Next(2) == 0 && result.Length >= 8)
        {
            // Keep the declared header length honest, so the parser, not the length check, meets the nesting.
            BinaryPrimitives.WriteUInt64LittleEndian(result, HeaderLength(bytes) + (ulong)nest.Length);
        }

        return result;
    }

    private byte[] Delete(byte[] bytes)
    {
        int start = random.Next(bytes.Length);
        int end = Math.Min(bytes.Length, start + 1 + random.Next(16));
        return Splice(bytes, start, end, []);
    }

    private byte[] DuplicateChunk(byte[] bytes)
    {
        int start = random.Next(bytes.Length);
        int length = Math.Min(bytes.Length - start, 1 + random.Next(64));
        return Insert(bytes, bytes.AsSpan(start, length).ToArray(), random.Next(bytes.Length + 1));
    }

    private int FindInHeader(byte[] bytes, Func<byte, bool> match)
    {
        int from = HeaderPosition(bytes);
        int end = Math.Min(bytes.Length, 8 + (int)Math.Min(HeaderLength(bytes), int.MaxValue - 8));
        for (int i = from; i < end; i++)
        {
            if (match(bytes[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static int IndexOf(byte[] bytes, ReadOnlySpan<byte> pattern, int from)
    {
        int at = bytes.AsSpan(Math.Min(from, bytes.Length)).IndexOf(pattern);
        return at < 0 ? -1 : at + Math.Min(from, bytes.Length);
    }

    private static byte[] Insert(byte[] bytes, byte[] insert, int at) => Splice(bytes, at, at, insert);

    private static byte[] Splice(byte[] bytes, int start, int end, byte[] replacement)
    {
        var result = new byte[bytes.Length - (end - start) + replacement.Length];
        bytes.AsSpan(0, start).CopyTo(result);
        replacement.CopyTo(result, start);
        bytes.AsSpan(end).CopyTo(result.AsSpan(start + replacement.Length));
        return result;
    }
}

using System;
using System.Buffers.Binary;
using System.Globalization;

namespace FastRnn.Serving;

/// <summary>
/// The bytes of an exported stream state, little-endian: a 32-byte header, then the state.
/// <code>
///  0  4  magic "FRSS"
///  4  2  format version (1)
///  6  2  header bytes (32)
///  8  1  cell kind (CellKind)     9  1  cell variant (CellVariant)     10  2  zero
/// 12  4  input size I            16  4  hidden size H
/// 20  4  state size H_out        24  4  layers L
/// 28  4  floats that follow: L·H_out (+ L·H for LSTM)
/// 32     float32 hidden [L, H_out], then cell [L, H] (LSTM)
/// </code>
/// The header carries the description's sizes so a state cannot be imported into a network of
/// another shape; weights are not part of it (a stream may move between float32 and int8 copies).
/// </summary>
internal static class StreamStateFormat
{
    public const int HeaderBytes = 32;
    public const ushort Version = 1;
    private const uint Magic = 0x53535246; // "FRSS" read as a little-endian uint

    public static int Floats(NetworkDescription d) => (d.NumLayers * d.StateSize) + (d.HasCellState ? d.NumLayers * d.HiddenSize : 0);

    public static int Bytes(NetworkDescription d) => HeaderBytes + (4 * Floats(d));

    public static void Write(NetworkDescription d, ReadOnlySpan<float> hidden, ReadOnlySpan<float> cell, Span<byte> destination)
    {
        destination[..HeaderBytes].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], HeaderBytes);
        destination[8] = (byte)d.Kind;
        destination[9] = (byte)d.Variant;
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], d.InputSize);
        BinaryPrimitives.WriteInt32LittleEndian(destination[16..], d.HiddenSize);
        BinaryPrimitives.WriteInt32LittleEndian(destination[20..], d.StateSize);
        BinaryPrimitives.WriteInt32LittleEndian(destination[24..], d.NumLayers);
        BinaryPrimitives.WriteInt32LittleEndian(destination[28..], Floats(d));
        Span<byte> values = destination[HeaderBytes..];
        for (int i = 0; i < hidden.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(values[(4 * i)..], hidden[i]);
        }

        values = values[(4 * hidden.Length)..];
        for (int i = 0; i < cell.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(values[(4 * i)..], cell[i]);
        }
    }

    /// <summary>
    /// Reads a state that <see cref="Check"/> accepted: hidden [L, H_out], cell [L, H] (LSTM) or empty.
    /// Never throws (the caller has opened a slot for it): it reads the values by the lengths of the
    /// destinations, which fit the length Check accepted, whatever the bytes hold by now.
    /// </summary>
    public static void Read(ReadOnlySpan<byte> source, Span<float> hidden, Span<float> cell)
    {
        ReadOnlySpan<byte> values = source[HeaderBytes..];
        for (int i = 0; i < hidden.Length; i++)
        {
            hidden[i] = BinaryPrimitives.ReadSingleLittleEndian(values[(4 * i)..]);
        }

        values = values[(4 * hidden.Length)..];
        for (int i = 0; i < cell.Length; i++)
        {
            cell[i] = BinaryPrimitives.ReadSingleLittleEndian(values[(4 * i)..]);
        }
    }

    /// <summary>Checks that <paramref name="source"/> is a state of a network shaped as <paramref name="d"/>.</summary>
    /// <exception cref="FastRnnFormatException">The bytes are not a stream state, of another version, with reserved bytes set, or of another shape.</exception>
    public static void Check(NetworkDescription d, ReadOnlySpan<byte> source)
    {
        if (source.Length < HeaderBytes)
        {
            throw new FastRnnFormatException($"A stream state starts with a {HeaderBytes}-byte header; got {source.Length} bytes.");
        }

        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(source);
        if (magic != Magic)
        {
            throw new FastRnnFormatException($"Not a FastRnn stream state: the first bytes are 0x{magic.ToString("X8", CultureInfo.InvariantCulture)} (little-endian), expected \"FRSS\" (0x{Magic.ToString("X8", CultureInfo.InvariantCulture)}).");
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(source[4..]);
        ushort headerBytes = BinaryPrimitives.ReadUInt16LittleEndian(source[6..]);
        if (version != Version || headerBytes != HeaderBytes)
        {
            throw new FastRnnFormatException($"Stream state format version {version} with a {headerBytes}-byte header is not supported; this build reads version {Version} ({HeaderBytes}-byte header).");
        }

        // Zero in this version; a later version may give them a meaning this build cannot honour.
        ushort reserved = BinaryPrimitives.ReadUInt16LittleEndian(source[10..]);
        if (reserved != 0)
        {
            throw new FastRnnFormatException($"The reserved header bytes 10..11 of the stream state are 0x{reserved.ToString("X4", CultureInfo.InvariantCulture)} (little-endian); version {Version} writes zero there, so the state is corrupt or of a later format.");
        }

        var kind = (CellKind)source[8];
        var variant = (CellVariant)source[9];
        int inputSize = BinaryPrimitives.ReadInt32LittleEndian(source[12..]);
        int hiddenSize = BinaryPrimitives.ReadInt32LittleEndian(source[16..]);
        int stateSize = BinaryPrimitives.ReadInt32LittleEndian(source[20..]);
        int layers = BinaryPrimitives.ReadInt32LittleEndian(source[24..]);
        int floats = BinaryPrimitives.ReadInt32LittleEndian(source[28..]);
        if (kind != d.Kind || variant != d.Variant || inputSize != d.InputSize || hiddenSize != d.HiddenSize || stateSize != d.StateSize || layers != d.NumLayers)
        {
            throw new FastRnnFormatException(
                $"The stream state is of a {kind} ({variant}) network with input {inputSize}, hidden {hiddenSize}, state {stateSize}, {layers} layers; " +
                $"this batcher runs a {d.Kind} ({d.Variant}) network with input {d.InputSize}, hidden {d.HiddenSize}, state {d.StateSize}, {d.NumLayers} layers.");
        }

        if (floats != Floats(d) || source.Length != Bytes(d))
        {
            throw new FastRnnFormatException($"Expected {Bytes(d)} bytes (header + {Floats(d)} floats) for this network's stream state; the header says {floats} floats and there are {source.Length} bytes.");
        }
    }
}

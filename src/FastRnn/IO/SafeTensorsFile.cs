using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using System.IO;

namespace FastRnn.IO;

/// <summary>
/// A validated, immutable safetensors file held in memory: its metadata, its tensor entries in
/// header order, and typed access to each tensor's data.
/// </summary>
/// <remarks>
/// Loading checks the whole header and layout before anything else is allocated from it, so a
/// corrupt or hostile file fails with a <see cref="FastRnnFormatException"/> and memory use stays
/// bounded by the file's size. Being immutable, an instance can be read from many threads at once.
/// </remarks>
public sealed class SafeTensorsFile
{
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly Dictionary<string, SafeTensorsEntry> _byName;

    private SafeTensorsFile(
        ReadOnlyMemory<byte> bytes,
        List<SafeTensorsEntry> tensors,
        Dictionary<string, string> metadata,
        string? sourceName)
    {
        _bytes = bytes;
        SourceName = sourceName;
        Tensors = tensors.AsReadOnly();
        Metadata = new ReadOnlyDictionary<string, string>(metadata);
        _byName = new Dictionary<string, SafeTensorsEntry>(tensors.Count, StringComparer.Ordinal);
        foreach (SafeTensorsEntry entry in tensors)
        {
            _byName.Add(entry.Name, entry);
        }
    }

    /// <summary>The file name given when loading (used in error messages), or null.</summary>
    public string? SourceName { get; }

    /// <summary>The <c>__metadata__</c> string map; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors in the order the header lists them.</summary>
    public IReadOnlyList<SafeTensorsEntry> Tensors { get; }

    /// <summary>Reads and validates the safetensors file at <paramref name="path"/>.</summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The loaded file.</returns>
    /// <exception cref="FastRnnFormatException">The file is not a valid safetensors file, or is too large to load.</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    public static SafeTensorsFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            // Opening one says "access denied" on Linux, which sends the user after permissions.
            throw new IOException($"'{path}' is a directory, not a .safetensors file.");
        }

        ReadOnlyMemory<byte> bytes;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan))
        {
            // A pipe or FIFO has no length to read ahead of time: read it to its end, as a stream.
            bytes = stream.CanSeek ? ReadKnownLength(stream, path) : ReadToEnd(stream, path);
        }

        return Load(bytes, path, copy: false);
    }

    /// <summary>
    /// Reads and validates a safetensors file from <paramref name="stream"/>, from its current
    /// position to its end. The stream is not closed.
    /// </summary>
    /// <param name="stream">A readable stream; a seekable one is read into one buffer of exactly its remaining length.</param>
    /// <param name="sourceName">A name for the data used in error messages, or null.</param>
    /// <returns>The loaded file.</returns>
    /// <exception cref="FastRnnFormatException">The data is not a valid safetensors file, or is too large to load.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    public static SafeTensorsFile Read(Stream stream, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream cannot be read.", nameof(stream));
        }

        return stream.CanSeek
            ? Load(ReadKnownLength(stream, sourceName), sourceName, copy: false)
            : Load(ReadToEnd(stream, sourceName), sourceName, copy: false);
    }

    // The declared length is checked before the buffer is allocated from it.
    private static byte[] ReadKnownLength(Stream stream, string? sourceName)
    {
        long length = stream.Length - stream.Position;
        if (length > SafeTensorsLimits.MaxFileBytes)
        {
            throw SafeTensorsErrors.Create(
                sourceName,
                $"the file is {length} bytes long; files larger than {SafeTensorsLimits.MaxFileBytes} bytes are not supported");
        }

        byte[] bytes = new byte[Math.Max(length, 0)];
        try
        {
            stream.ReadExactly(bytes);
        }
        catch (EndOfStreamException e)
        {
            throw SafeTensorsErrors.Create(sourceName, $"the file shrank below {length} bytes while being read", e);
        }

        return bytes;
    }

    // A stream of unknown length grows a buffer as it arrives, and stops at the largest file an array can hold.
    private static ReadOnlyMemory<byte> ReadToEnd(Stream stream, string? sourceName)
    {
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[1 << 16];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > SafeTensorsLimits.MaxFileBytes)
            {
                throw SafeTensorsErrors.Create(
                    sourceName,
                    $"the stream holds more than {SafeTensorsLimits.MaxFileBytes} bytes; files larger than that are not supported");
            }

            buffer.Write(chunk, 0, read);
        }

        return new ReadOnlyMemory<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Validates <paramref name="bytes"/> as a safetensors file and returns a copy of it that cannot change.</summary>
    /// <param name="bytes">The complete file contents. They are copied after validation, so later changes do not affect the result.</param>
    /// <param name="sourceName">A name for the data used in error messages, or null.</param>
    /// <returns>The loaded file.</returns>
    /// <exception cref="FastRnnFormatException">The bytes are not a valid safetensors file.</exception>
    public static SafeTensorsFile Parse(ReadOnlyMemory<byte> bytes, string? sourceName = null) =>
        Load(bytes, sourceName, copy: true);

    /// <summary>Whether the file holds a tensor called <paramref name="name"/>.</summary>
    /// <param name="name">The tensor name (case-sensitive).</param>
    /// <returns><see langword="true"/> when the tensor exists.</returns>
    public bool Contains(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.ContainsKey(name);
    }

    /// <summary>Looks up a tensor's entry without throwing when it is absent.</summary>
    /// <param name="name">The tensor name (case-sensitive).</param>
    /// <param name="entry">The entry when found.</param>
    /// <returns><see langword="true"/> when the tensor exists.</returns>
    public bool TryGet(string name, [NotNullWhen(true)] out SafeTensorsEntry? entry)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name, out entry);
    }

    /// <summary>Returns the entry of the tensor called <paramref name="name"/>.</summary>
    /// <param name="name">The tensor name (case-sensitive).</param>
    /// <returns>The entry.</returns>
    /// <exception cref="FastRnnFormatException">The file has no such tensor; the message lists the tensors it does have.</exception>
    public SafeTensorsEntry Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_byName.TryGetValue(name, out SafeTensorsEntry? entry))
        {
            return entry;
        }

        throw SafeTensorsErrors.Create(SourceName, $"no tensor named '{name}'; {DescribeTensorNames()}");
    }

    /// <summary>Reads a floating-point tensor as <see cref="float"/>s, narrowing F64 and widening F16/BF16.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns>A new array with the elements in row-major order.</returns>
    /// <exception cref="FastRnnFormatException">The tensor is missing or its dtype is not F32, F64, F16 or BF16.</exception>
    public float[] ReadFloat32(string name)
    {
        SafeTensorsEntry entry = Get(name);
        ReadOnlySpan<byte> source = Data(entry);
        var result = new float[entry.ElementCount];
        switch (entry.DType)
        {
            case SafeTensorsDType.F32:
                LittleEndianConverter.Copy<float>(source, result);
                break;
            case SafeTensorsDType.F64:
                LittleEndianConverter.Float64ToSingle(source, result);
                break;
            case SafeTensorsDType.BF16:
                LittleEndianConverter.BFloat16ToSingle(source, result);
                break;
            case SafeTensorsDType.F16:
                LittleEndianConverter.Float16ToSingle(source, result);
                break;
            default:
                throw WrongDType(entry, "F32, F64, F16 or BF16");
        }

        return result;
    }

    /// <summary>Reads an F64 or F32 tensor as <see cref="double"/>s.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns>A new array with the elements in row-major order.</returns>
    /// <exception cref="FastRnnFormatException">The tensor is missing or its dtype is not F64 or F32.</exception>
    public double[] ReadFloat64(string name)
    {
        SafeTensorsEntry entry = Get(name);
        ReadOnlySpan<byte> source = Data(entry);
        var result = new double[entry.ElementCount];
        switch (entry.DType)
        {
            case SafeTensorsDType.F64:
                LittleEndianConverter.Copy<double>(source, result);
                break;
            case SafeTensorsDType.F32:
                LittleEndianConverter.Float32ToDouble(source, result);
                break;
            default:
                throw WrongDType(entry, "F64 or F32");
        }

        return result;
    }

    /// <summary>Reads an I64 or I32 tensor as <see cref="long"/>s.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns>A new array with the elements in row-major order.</returns>
    /// <exception cref="FastRnnFormatException">The tensor is missing or its dtype is not I64 or I32.</exception>
    public long[] ReadInt64(string name)
    {
        SafeTensorsEntry entry = Get(name);
        ReadOnlySpan<byte> source = Data(entry);
        var result = new long[entry.ElementCount];
        switch (entry.DType)
        {
            case SafeTensorsDType.I64:
                LittleEndianConverter.Copy<long>(source, result);
                break;
            case SafeTensorsDType.I32:
                LittleEndianConverter.Int32ToInt64(source, result);
                break;
            default:
                throw WrongDType(entry, "I64 or I32");
        }

        return result;
    }

    /// <summary>The tensor's bytes exactly as stored (little-endian, row-major), without copying.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns>A read-only view of the tensor's bytes.</returns>
    /// <exception cref="FastRnnFormatException">The tensor is missing.</exception>
    public ReadOnlySpan<byte> RawBytes(string name) => Data(Get(name));

    private static SafeTensorsFile Load(ReadOnlyMemory<byte> bytes, string? sourceName, bool copy)
    {
        ReadOnlySpan<byte> span = bytes.Span;
        if (span.Length < sizeof(ulong))
        {
            throw SafeTensorsErrors.Create(
                sourceName,
                $"the file is {span.Length} bytes long, shorter than the 8-byte header length prefix");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(span);
        if (headerLength > SafeTensorsLimits.MaxHeaderBytes)
        {
            throw SafeTensorsErrors.Create(
                sourceName,
                $"the header length is {headerLength} bytes, more than the limit of {SafeTensorsLimits.MaxHeaderBytes}");
        }

        long available = span.Length - sizeof(ulong);
        if ((long)headerLength > available)
        {
            throw SafeTensorsErrors.Create(
                sourceName,
                $"the header length is {headerLength} bytes but only {available} bytes follow the length prefix");
        }

        int headerEnd = sizeof(ulong) + (int)headerLength;
        long dataLength = span.Length - headerEnd;
        SafeTensorsHeaderParser.Parse(
            span[sizeof(ulong)..headerEnd],
            headerEnd,
            dataLength,
            sourceName,
            out List<SafeTensorsEntry> tensors,
            out Dictionary<string, string> metadata);
        SafeTensorsLayout.ValidateTiling(tensors, dataLength, sourceName);

        ReadOnlyMemory<byte> storage = copy ? bytes.ToArray() : bytes;
        return new SafeTensorsFile(storage, tensors, metadata, sourceName);
    }

    // Validation guarantees every entry lies inside the buffer, and the buffer is at most an array long.
    private ReadOnlySpan<byte> Data(SafeTensorsEntry entry) =>
        _bytes.Span.Slice((int)entry.FileOffset, (int)entry.ByteLength);

    private FastRnnFormatException WrongDType(SafeTensorsEntry entry, string expected) =>
        SafeTensorsErrors.Create(
            SourceName,
            $"tensor '{entry.Name}' has dtype {entry.DType.ToHeaderName()}, expected {expected}");

    private string DescribeTensorNames()
    {
        if (Tensors.Count == 0)
        {
            return "the file holds no tensors";
        }

        var names = new string[Tensors.Count];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = Tensors[i].Name;
        }

        return $"the file holds {Tensors.Count} {(Tensors.Count == 1 ? "tensor" : "tensors")}: {NameList.Format(names)}";
    }
}

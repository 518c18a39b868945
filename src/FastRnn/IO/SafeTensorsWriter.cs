using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace FastRnn.IO;

/// <summary>
/// Builds a standard safetensors file from named tensors and string metadata. Tensors are stored
/// in the order they were added, back to back; the header is padded with spaces to a multiple of
/// 8 bytes so the data section starts aligned.
/// </summary>
/// <remarks>
/// The data passed to <c>Add</c> is copied, so the caller may reuse its buffers immediately.
/// A writer is not thread-safe; fill and save it from one thread.
/// </remarks>
public sealed class SafeTensorsWriter
{
    private const string MetadataKey = "__metadata__";
    private const int Alignment = 8;

    /// <summary>One more element than any span can hold; saturation value for shape products.</summary>
    private const long MoreThanAnySpan = int.MaxValue + 1L;

    // Throwing rather than substituting U+FFFD: a silently altered tensor name would not be found later.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly JsonWriterOptions JsonOptions = new()
    {
        // Keeps non-ASCII names readable in the header; the output is a file, never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    private readonly List<PendingTensor> _tensors = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _metadata = new(StringComparer.Ordinal);
    private long _dataLength;

    /// <summary>The number of tensors added so far.</summary>
    public int Count => _tensors.Count;

    /// <summary>Adds an F32 tensor.</summary>
    /// <param name="name">A name not used by any tensor added before, and not <c>__metadata__</c>.</param>
    /// <param name="data">The elements in row-major order; their count must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The dimensions, outermost first; empty for a scalar.</param>
    /// <exception cref="ArgumentException">The name is taken or invalid, a dimension is negative, or the element count does not match the shape.</exception>
    public void Add(string name, ReadOnlySpan<float> data, ReadOnlySpan<int> shape)
    {
        int[] checkedShape = ValidateTensor(name, data.Length, sizeof(float), shape, nameof(data));
        Enqueue(new PendingTensor(name, SafeTensorsDType.F32, checkedShape, LittleEndianConverter.ToBytes(data)));
    }

    /// <summary>Adds an F64 tensor.</summary>
    /// <param name="name">A name not used by any tensor added before, and not <c>__metadata__</c>.</param>
    /// <param name="data">The elements in row-major order; their count must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The dimensions, outermost first; empty for a scalar.</param>
    /// <exception cref="ArgumentException">The name is taken or invalid, a dimension is negative, or the element count does not match the shape.</exception>
    public void Add(string name, ReadOnlySpan<double> data, ReadOnlySpan<int> shape)
    {
        int[] checkedShape = ValidateTensor(name, data.Length, sizeof(double), shape, nameof(data));
        Enqueue(new PendingTensor(name, SafeTensorsDType.F64, checkedShape, LittleEndianConverter.ToBytes(data)));
    }

    /// <summary>Adds an I64 tensor.</summary>
    /// <param name="name">A name not used by any tensor added before, and not <c>__metadata__</c>.</param>
    /// <param name="data">The elements in row-major order; their count must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The dimensions, outermost first; empty for a scalar.</param>
    /// <exception cref="ArgumentException">The name is taken or invalid, a dimension is negative, or the element count does not match the shape.</exception>
    public void Add(string name, ReadOnlySpan<long> data, ReadOnlySpan<int> shape)
    {
        int[] checkedShape = ValidateTensor(name, data.Length, sizeof(long), shape, nameof(data));
        Enqueue(new PendingTensor(name, SafeTensorsDType.I64, checkedShape, LittleEndianConverter.ToBytes(data)));
    }

    /// <summary>Adds a BF16 tensor from raw bfloat16 bit patterns (the top halves of float32 values).</summary>
    /// <param name="name">A name not used by any tensor added before, and not <c>__metadata__</c>.</param>
    /// <param name="data">The bfloat16 bit patterns in row-major order; their count must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The dimensions, outermost first; empty for a scalar.</param>
    /// <exception cref="ArgumentException">The name is taken or invalid, a dimension is negative, or the element count does not match the shape.</exception>
    public void AddBFloat16(string name, ReadOnlySpan<ushort> data, ReadOnlySpan<int> shape)
    {
        int[] checkedShape = ValidateTensor(name, data.Length, sizeof(ushort), shape, nameof(data));
        byte[] bytes = new byte[data.Length * sizeof(ushort)];
        for (int i = 0; i < data.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), data[i]);
        }

        Enqueue(new PendingTensor(name, SafeTensorsDType.BF16, checkedShape, bytes));
    }

    /// <summary>Adds an I8 tensor.</summary>
    /// <param name="name">A name not used by any tensor added before, and not <c>__metadata__</c>.</param>
    /// <param name="data">The elements in row-major order; their count must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The dimensions, outermost first; empty for a scalar.</param>
    /// <exception cref="ArgumentException">The name is taken or invalid, a dimension is negative, or the element count does not match the shape.</exception>
    public void AddInt8(string name, ReadOnlySpan<sbyte> data, ReadOnlySpan<int> shape)
    {
        int[] checkedShape = ValidateTensor(name, data.Length, sizeof(sbyte), shape, nameof(data));
        Enqueue(new PendingTensor(name, SafeTensorsDType.I8, checkedShape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(data).ToArray()));
    }

    /// <summary>Sets a <c>__metadata__</c> entry, replacing any earlier value for the same key.</summary>
    /// <param name="key">The metadata key.</param>
    /// <param name="value">The metadata value.</param>
    /// <exception cref="ArgumentException">The key or value is not valid UTF-16 text.</exception>
    public void SetMetadata(string key, string value)
    {
        ThrowIfNotEncodable(key, nameof(key));
        ThrowIfNotEncodable(value, nameof(value));
        _metadata[key] = value;
    }

    /// <summary>Returns the complete file as a byte array.</summary>
    /// <returns>The safetensors bytes.</returns>
    /// <exception cref="InvalidOperationException">The file would be larger than the largest possible array, or its header larger than a reader accepts.</exception>
    public byte[] ToArray()
    {
        byte[] header = BuildPaddedHeader();
        long total = sizeof(ulong) + header.Length + _dataLength;
        if (total > Array.MaxLength)
        {
            throw new InvalidOperationException(
                $"The safetensors file would be {total} bytes, more than the largest array ({Array.MaxLength} bytes); use Save or WriteTo.");
        }

        var result = new byte[total];
        using (var stream = new MemoryStream(result))
        {
            WriteTo(stream, header);
        }

        return result;
    }

    /// <summary>Writes the complete file to <paramref name="stream"/> at its current position.</summary>
    /// <param name="stream">A writable stream.</param>
    /// <exception cref="InvalidOperationException">The header would be larger than a reader accepts (nothing is written).</exception>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WriteTo(stream, BuildPaddedHeader());
    }

    /// <summary>
    /// Writes the file to <paramref name="path"/> atomically: to a temporary file in the same directory,
    /// flushed to disk, then moved over <paramref name="path"/>. On failure the temporary file is deleted
    /// and any existing file at <paramref name="path"/> is left untouched.
    /// </summary>
    /// <param name="path">The destination file.</param>
    /// <exception cref="IOException">Writing, flushing or replacing the file failed.</exception>
    /// <exception cref="InvalidOperationException">The header would be larger than a reader accepts (nothing is written).</exception>
    public void Save(string path) => AtomicFile.Write(path, WriteTo);

    private void WriteTo(Stream stream, byte[] header)
    {
        Span<byte> prefix = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach (PendingTensor tensor in _tensors)
        {
            stream.Write(tensor.Data);
        }
    }

    private byte[] BuildPaddedHeader()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            if (_metadata.Count > 0)
            {
                json.WriteStartObject(MetadataKey);
                foreach (KeyValuePair<string, string> pair in _metadata)
                {
                    json.WriteString(pair.Key, pair.Value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach (PendingTensor tensor in _tensors)
            {
                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", tensor.DType.ToHeaderName());
                json.WriteStartArray("shape");
                foreach (int dim in tensor.Shape)
                {
                    json.WriteNumberValue(dim);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += tensor.Data.Length;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        int padding = (Alignment - (buffer.WrittenCount % Alignment)) % Alignment;
        if (buffer.WrittenCount + padding > SafeTensorsLimits.MaxHeaderBytes)
        {
            // Written, it would be a file that SafeTensorsFile refuses to read.
            throw new InvalidOperationException(
                $"The safetensors header would be {buffer.WrittenCount + padding} bytes ({_tensors.Count} tensors, {_metadata.Count} metadata entries), more than the {SafeTensorsLimits.MaxHeaderBytes} bytes a reader accepts.");
        }

        var header = new byte[buffer.WrittenCount + padding];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    private int[] ValidateTensor(string name, int elementCount, int elementSize, ReadOnlySpan<int> shape, string dataParamName)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name == MetadataKey)
        {
            throw new ArgumentException($"'{MetadataKey}' is reserved for metadata and cannot name a tensor.", nameof(name));
        }

        if (_names.Contains(name))
        {
            throw new ArgumentException($"A tensor named '{name}' was already added.", nameof(name));
        }

        ThrowIfNotEncodable(name, nameof(name));
        int[] dims = shape.ToArray();
        long expected = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0)
            {
                throw new ArgumentException(
                    $"Tensor '{name}' has shape {SafeTensorsErrors.FormatShape(dims)} with negative dimension {i}.", nameof(shape));
            }

            // Saturating keeps the product in range; a later zero still brings it to 0, as it should.
            expected = Math.Min(expected * dims[i], MoreThanAnySpan);
        }

        if (expected != elementCount)
        {
            string needed = expected == MoreThanAnySpan ? $"more than {int.MaxValue}" : $"{expected}";
            throw new ArgumentException(
                $"Tensor '{name}' has {elementCount} data elements but its shape {SafeTensorsErrors.FormatShape(dims)} needs {needed}.",
                dataParamName);
        }

        if ((long)elementCount * elementSize > Array.MaxLength)
        {
            throw new ArgumentException(
                $"Tensor '{name}' would take {(long)elementCount * elementSize} bytes, more than the largest array ({Array.MaxLength}).",
                nameof(shape));
        }

        return dims;
    }

    private void Enqueue(PendingTensor tensor)
    {
        _tensors.Add(tensor);
        _names.Add(tensor.Name);
        _dataLength += tensor.Data.Length;
    }

    private static void ThrowIfNotEncodable(string text, string paramName)
    {
        ArgumentNullException.ThrowIfNull(text, paramName);
        try
        {
            StrictUtf8.GetByteCount(text);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"'{text}' is not valid UTF-16 text (it has an unpaired surrogate).", paramName, e);
        }
    }
}

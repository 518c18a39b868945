using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace FastRnn.IO;

/// <summary>
/// Turns the JSON header of a safetensors file into validated entries and metadata. Checks each
/// entry on its own (dtype, shape, offsets within the data section, byte size); how the entries
/// fit together is <see cref="SafeTensorsLayout"/>'s job.
/// </summary>
internal sealed class SafeTensorsHeaderParser
{
    private const string MetadataKey = "__metadata__";

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        // One level of slack so that our own depth check, with its clearer message, fires first.
        MaxDepth = SafeTensorsLimits.MaxJsonDepth + 1,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    private readonly string? _sourceName;
    private readonly long _headerEnd;
    private readonly long _dataLength;

    private SafeTensorsHeaderParser(string? sourceName, long headerEnd, long dataLength)
    {
        _sourceName = sourceName;
        _headerEnd = headerEnd;
        _dataLength = dataLength;
    }

    /// <summary>Parses and validates <paramref name="json"/>; throws <see cref="FastRnnFormatException"/> on any defect.</summary>
    /// <param name="json">The header bytes (without the 8-byte length prefix).</param>
    /// <param name="headerEnd">File offset where the data section starts.</param>
    /// <param name="dataLength">Length of the data section in bytes.</param>
    /// <param name="sourceName">File name for messages, or null.</param>
    /// <param name="tensors">The tensor entries in header order.</param>
    /// <param name="metadata">The <c>__metadata__</c> map (empty when absent).</param>
    public static void Parse(
        ReadOnlySpan<byte> json,
        long headerEnd,
        long dataLength,
        string? sourceName,
        out List<SafeTensorsEntry> tensors,
        out Dictionary<string, string> metadata)
    {
        var parser = new SafeTensorsHeaderParser(sourceName, headerEnd, dataLength);
        if (!Utf8.IsValid(json))
        {
            throw parser.Fail("the header is not valid UTF-8");
        }

        parser.CheckSyntax(json);
        tensors = new List<SafeTensorsEntry>();
        metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            parser.ParseRoot(json, tensors, metadata);
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader.GetString throws this for escapes such as a lone "\ud800" that are not valid UTF-16.
            throw parser.Fail($"the header holds a string that cannot be decoded: {e.Message}", e);
        }
    }

    /// <summary>A full syntax pass first, so that malformed JSON is reported as such wherever it is.</summary>
    private void CheckSyntax(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            while (reader.Read())
            {
                // A start token at depth d opens level d + 1 (the root object is level 1).
                bool opensContainer = reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray;
                if (opensContainer && reader.CurrentDepth >= SafeTensorsLimits.MaxJsonDepth)
                {
                    throw Fail(
                        $"the header JSON nests deeper than {SafeTensorsLimits.MaxJsonDepth} levels " +
                        $"(at byte {reader.TokenStartIndex} of the header)");
                }
            }
        }
        catch (JsonException e)
        {
            throw Fail($"the header is not valid JSON: {e.Message}", e);
        }
    }

    private void ParseRoot(ReadOnlySpan<byte> json, List<SafeTensorsEntry> tensors, Dictionary<string, string> metadata)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Fail($"the header must be a JSON object, found {reader.TokenType}");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        bool sawMetadata = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            if (key == MetadataKey)
            {
                if (sawMetadata)
                {
                    throw Fail($"the header holds '{MetadataKey}' twice");
                }

                sawMetadata = true;
                ReadMetadata(ref reader, metadata);
            }
            else
            {
                if (!names.Add(key))
                {
                    throw Fail($"duplicate tensor name '{key}' in the header");
                }

                tensors.Add(ReadTensor(ref reader, key));
            }
        }
    }

    private void ReadMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Fail($"'{MetadataKey}' must be an object of string values, found {reader.TokenType}");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                throw Fail($"'{MetadataKey}' entry '{key}' must be a string, found {reader.TokenType}");
            }

            if (!metadata.TryAdd(key, reader.GetString()!))
            {
                throw Fail($"'{MetadataKey}' holds the key '{key}' twice");
            }
        }
    }

    private SafeTensorsEntry ReadTensor(ref Utf8JsonReader reader, string name)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Fail($"tensor '{name}' must be an object with dtype, shape and data_offsets, found {reader.TokenType}");
        }

        SafeTensorsDType? dtype = null;
        int[]? shape = null;
        long begin = -1;
        long end = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("dtype"u8))
            {
                ThrowIfSeen(dtype is not null, name, "dtype");
                dtype = ReadDType(ref reader, name);
            }
            else if (reader.ValueTextEquals("shape"u8))
            {
                ThrowIfSeen(shape is not null, name, "shape");
                shape = ReadShape(ref reader, name);
            }
            else if (reader.ValueTextEquals("data_offsets"u8))
            {
                ThrowIfSeen(begin >= 0, name, "data_offsets");
                ReadOffsets(ref reader, name, out begin, out end);
            }
            else
            {
                throw Fail($"tensor '{name}' has an unexpected field '{reader.GetString()}' (expected dtype, shape, data_offsets)");
            }
        }

        if (dtype is null || shape is null || begin < 0)
        {
            string missing = dtype is null ? "dtype" : shape is null ? "shape" : "data_offsets";
            throw Fail($"tensor '{name}' is missing the field '{missing}'");
        }

        return CreateEntry(name, dtype.Value, shape, begin, end);
    }

    private SafeTensorsEntry CreateEntry(string name, SafeTensorsDType dtype, int[] shape, long begin, long end)
    {
        long elementCount = 1;
        long byteCount;
        try
        {
            for (int i = 0; i < shape.Length; i++)
            {
                elementCount = checked(elementCount * shape[i]);
            }

            byteCount = checked(elementCount * dtype.ElementSize());
        }
        catch (OverflowException e)
        {
            throw Fail($"tensor '{name}' has shape {SafeTensorsErrors.FormatShape(shape)} whose byte size overflows a 64-bit integer", e);
        }

        if (begin > end)
        {
            throw Fail($"tensor '{name}' has data_offsets [{begin}, {end}] with begin > end");
        }

        if (end > _dataLength)
        {
            throw Fail(
                $"tensor '{name}' has data_offsets [{begin}, {end}] but the data section is only {_dataLength} bytes long");
        }

        if (end - begin != byteCount)
        {
            throw Fail(
                $"tensor '{name}' has data_offsets [{begin}, {end}] spanning {end - begin} bytes, expected {byteCount} " +
                $"({elementCount} elements of {dtype.ToHeaderName()} with shape {SafeTensorsErrors.FormatShape(shape)})");
        }

        return new SafeTensorsEntry(name, dtype, shape, elementCount, begin, end, _headerEnd);
    }

    private SafeTensorsDType ReadDType(ref Utf8JsonReader reader, string name)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Fail($"tensor '{name}' has a dtype that is not a string ({reader.TokenType})");
        }

        string text = reader.GetString()!;
        if (!SafeTensorsDTypes.TryParse(text, out SafeTensorsDType dtype))
        {
            throw Fail($"tensor '{name}' has unknown dtype '{NameList.Shorten(text)}' (known: F64, F32, F16, BF16, F8_E5M2, F8_E4M3, I64, I32, I16, I8, U64, U32, U16, U8, BOOL)");
        }

        return dtype;
    }

    private int[] ReadShape(ref Utf8JsonReader reader, string name)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Fail($"tensor '{name}' has a shape that is not an array ({reader.TokenType})");
        }

        var dims = new List<int>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number
                || !reader.TryGetInt64(out long dim)
                || dim < 0
                || dim > int.MaxValue)
            {
                throw Fail(
                    $"tensor '{name}' has shape[{dims.Count}] = {TokenText(ref reader)}, " +
                    $"expected an integer in 0..{int.MaxValue}");
            }

            dims.Add((int)dim);
        }

        return dims.ToArray();
    }

    private void ReadOffsets(ref Utf8JsonReader reader, string name, out long begin, out long end)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Fail($"tensor '{name}' has data_offsets that is not an array ({reader.TokenType})");
        }

        begin = -1;
        end = -1;
        int count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value) || value < 0)
            {
                throw Fail(
                    $"tensor '{name}' has data_offsets[{count}] = {TokenText(ref reader)}, expected a non-negative integer");
            }

            if (count == 0)
            {
                begin = value;
            }
            else if (count == 1)
            {
                end = value;
            }

            count++;
        }

        if (count != 2)
        {
            throw Fail($"tensor '{name}' has data_offsets with {count} values, expected 2 ([begin, end])");
        }
    }

    private void ThrowIfSeen(bool seen, string name, string field)
    {
        if (seen)
        {
            throw Fail($"tensor '{name}' has the field '{field}' twice");
        }
    }

    /// <summary>The token as written in the file, cut short so a huge literal cannot bloat the message.</summary>
    private static string TokenText(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
        {
            return reader.TokenType == JsonTokenType.StartArray ? "an array" : "an object";
        }

        ReadOnlySpan<byte> raw = reader.ValueSpan;
        const int MaxChars = 40;
        string text = Encoding.UTF8.GetString(raw.Length > MaxChars ? raw[..MaxChars] : raw);
        if (raw.Length > MaxChars)
        {
            text += "...";
        }

        return reader.TokenType == JsonTokenType.String ? $"\"{text}\"" : text;
    }

    private FastRnnFormatException Fail(string detail, Exception? inner = null) =>
        SafeTensorsErrors.Create(_sourceName, detail, inner);
}

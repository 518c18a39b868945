using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace FastRnn.Tests.Reference;

/// <summary>A tiny, self-contained safetensors reader (F32, F64, I64 tensors and string __metadata__).
/// It exists so that the reference (the judge) is validated against the conformance files independently of the
/// production library's IO code; do not replace it with production types.</summary>
public sealed class ConformanceCaseFile
{
    private readonly Dictionary<string, (string dtype, int[] shape, byte[] data)> _tensors = new();

    private ConformanceCaseFile(Dictionary<string, string> metadata) => Metadata = metadata;

    /// <summary>The file's __metadata__ strings.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Tensor names in file (header) order.</summary>
    public IReadOnlyList<string> Names => _names;

    private readonly List<string> _names = new();

    public static ConformanceCaseFile Load(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8)
        {
            throw new InvalidDataException($"{path}: too short");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(0, 8));
        if (headerLength > (ulong)(bytes.Length - 8))
        {
            throw new InvalidDataException($"{path}: header length {headerLength} past end of file");
        }

        int dataStart = 8 + (int)headerLength;
        string json = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        using JsonDocument doc = JsonDocument.Parse(json);

        var metadata = new Dictionary<string, string>();
        var file = new ConformanceCaseFile(metadata);
        var spans = new List<(long begin, long end)>();
        foreach (JsonProperty prop in doc.RootElement.EnumerateObject())
        {
            if (prop.Name == "__metadata__")
            {
                foreach (JsonProperty m in prop.Value.EnumerateObject())
                {
                    metadata[m.Name] = m.Value.GetString() ?? throw new InvalidDataException("null metadata value");
                }

                continue;
            }

            string dtype = prop.Value.GetProperty("dtype").GetString() ?? "";
            int elementSize = dtype switch
            {
                "F32" => 4,
                "F64" => 8,
                "I64" => 8,
                _ => throw new InvalidDataException($"{path}: {prop.Name}: unsupported dtype {dtype}"),
            };
            var shape = new List<int>();
            long count = 1;
            foreach (JsonElement dim in prop.Value.GetProperty("shape").EnumerateArray())
            {
                shape.Add(dim.GetInt32());
                count *= dim.GetInt32();
            }

            JsonElement offsets = prop.Value.GetProperty("data_offsets");
            long begin = offsets[0].GetInt64();
            long end = offsets[1].GetInt64();
            if (begin < 0 || end < begin || dataStart + end > bytes.Length || end - begin != count * elementSize)
            {
                throw new InvalidDataException($"{path}: {prop.Name}: bad data_offsets [{begin}, {end}]");
            }

            var data = new byte[end - begin];
            Array.Copy(bytes, dataStart + begin, data, 0, data.Length);
            file._tensors.Add(prop.Name, (dtype, shape.ToArray(), data));
            file._names.Add(prop.Name);
            spans.Add((begin, end));
        }

        // Packed back to back with no holes.
        spans.Sort();
        long expected = 0;
        foreach ((long begin, long end) in spans)
        {
            if (begin != expected)
            {
                throw new InvalidDataException($"{path}: hole or overlap in the data section at {begin}");
            }

            expected = end;
        }

        if (dataStart + expected != bytes.Length)
        {
            throw new InvalidDataException($"{path}: data section size mismatch");
        }

        return file;
    }

    public bool Contains(string name) => _tensors.ContainsKey(name);

    public string DType(string name) => _tensors[name].dtype;

    public int[] Shape(string name) => (int[])_tensors[name].shape.Clone();

    /// <summary>An F32 or F64 tensor converted (exactly) to double.</summary>
    public double[] Doubles(string name)
    {
        (string dtype, _, byte[] data) = _tensors[name];
        if (dtype == "F32")
        {
            var v = new double[data.Length / 4];
            for (int i = 0; i < v.Length; i++)
            {
                v[i] = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(i * 4, 4));
            }

            return v;
        }

        if (dtype == "F64")
        {
            var v = new double[data.Length / 8];
            for (int i = 0; i < v.Length; i++)
            {
                v[i] = BinaryPrimitives.ReadDoubleLittleEndian(data.AsSpan(i * 8, 8));
            }

            return v;
        }

        throw new InvalidDataException($"{name} is {dtype}, not a float tensor");
    }

    /// <summary>An I64 tensor.</summary>
    public long[] Longs(string name)
    {
        (string dtype, _, byte[] data) = _tensors[name];
        if (dtype != "I64")
        {
            throw new InvalidDataException($"{name} is {dtype}, not I64");
        }

        var v = new long[data.Length / 8];
        for (int i = 0; i < v.Length; i++)
        {
            v[i] = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(i * 8, 8));
        }

        return v;
    }
}

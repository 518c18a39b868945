using System.Collections.Generic;
using System.IO;
using FastRnn.IO;
using Xunit;

namespace FastRnn.Tests.IO;

public class SafeTensorsConformanceTests
{
    public static TheoryData<string> ConformanceCases()
    {
        var cases = new TheoryData<string>();
        foreach (string path in Directory.GetFiles(SafeTensorsSamples.ConformanceDirectory, "*.safetensors"))
        {
            cases.Add(Path.GetFileNameWithoutExtension(path));
        }

        return cases;
    }

    [Fact]
    public void All_33_conformance_files_are_present()
    {
        Assert.Equal(33, ConformanceCases().Count);
        Assert.True(File.Exists(Path.Combine(SafeTensorsSamples.ConformanceDirectory, "FORMAT.md")));
    }

    [Theory]
    [MemberData(nameof(ConformanceCases))]
    public void Conformance_file_loads_and_every_tensor_reads(string caseName)
    {
        var file = SafeTensorsFile.Read(SafeTensorsSamples.ConformanceFile(caseName));

        Assert.Equal("1", file.Metadata["format_version"]);
        Assert.NotEmpty(file.Tensors);
        Assert.True(file.Contains("input"));
        Assert.Equal(SafeTensorsDType.F32, file.Get("input").DType);
        Assert.Equal(SafeTensorsDType.F64, file.Get("output").DType);
        SafeTensorsSamples.ReadAll(file);
    }

    [Theory]
    [MemberData(nameof(ConformanceCases))]
    public void Rewriting_a_conformance_file_reproduces_it_byte_for_byte(string caseName)
    {
        // The conformance files come from an independent (Python) writer; matching them exactly is
        // strong evidence that what we write is standard safetensors.
        byte[] original = File.ReadAllBytes(SafeTensorsSamples.ConformanceFile(caseName));
        var file = SafeTensorsFile.Parse(original);
        var writer = new SafeTensorsWriter();
        foreach (KeyValuePair<string, string> pair in file.Metadata)
        {
            writer.SetMetadata(pair.Key, pair.Value);
        }

        foreach (SafeTensorsEntry entry in file.Tensors)
        {
            int[] shape = ToArray(entry.Shape);
            switch (entry.DType)
            {
                case SafeTensorsDType.F32:
                    writer.Add(entry.Name, file.ReadFloat32(entry.Name), shape);
                    break;
                case SafeTensorsDType.F64:
                    writer.Add(entry.Name, file.ReadFloat64(entry.Name), shape);
                    break;
                case SafeTensorsDType.I64:
                    writer.Add(entry.Name, file.ReadInt64(entry.Name), shape);
                    break;
                default:
                    Assert.Fail($"unexpected dtype {entry.DType} in {caseName}");
                    break;
            }
        }

        Assert.Equal(original, writer.ToArray());
    }

    [Fact]
    public void Lstm_h1_t1_b1_has_the_documented_metadata_and_tensors()
    {
        var file = SafeTensorsFile.Read(SafeTensorsSamples.ConformanceFile("lstm_h1_t1_b1"));

        Assert.Equal("LSTM", file.Metadata["mode"]);
        Assert.Equal("standard", file.Metadata["variant"]);
        Assert.Equal("1", file.Metadata["hidden_size"]);
        SafeTensorsEntry weight = file.Get("weight_ih_l0");
        Assert.Equal(SafeTensorsDType.F32, weight.DType);
        Assert.Equal(new[] { 4, 1 }, weight.Shape);
        Assert.Equal("weight_ih_l0", file.Tensors[0].Name);
        Assert.Equal(new[] { 1, 1, 1 }, file.Get("c_n").Shape);
        Assert.Equal(SafeTensorsDType.F64, file.Get("grad.weight_ih_l0").DType);
        Assert.Equal(4, file.ReadFloat32("weight_ih_l0").Length);
    }

    [Fact]
    public void Files_with_lengths_store_them_as_i64_within_the_sequence_length()
    {
        var file = SafeTensorsFile.Read(SafeTensorsSamples.ConformanceFile("gru_lengths_b4"));

        Assert.Equal("true", file.Metadata["has_lengths"]);
        Assert.Equal(SafeTensorsDType.I64, file.Get("lengths").DType);
        long seqLen = long.Parse(file.Metadata["seq_len"]);
        long[] lengths = file.ReadInt64("lengths");
        Assert.Equal(long.Parse(file.Metadata["batch_size"]), lengths.Length);
        foreach (long length in lengths)
        {
            Assert.InRange(length, 1, seqLen);
        }
    }

    private static int[] ToArray(IReadOnlyList<int> shape)
    {
        var result = new int[shape.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = shape[i];
        }

        return result;
    }
}

using System;
using System.IO;
using FastRnn.IO;
using FastRnn.Tests.IO;
using Xunit;

namespace FastRnn.Tests.Reliability.Fuzzing;

/// <summary><see cref="SafeTensorsFile.Parse"/>: an accepted file's entries tile its data section and read back its own bytes.</summary>
internal sealed class SafeTensorsTarget : ReaderTarget
{
    public override string Name => "safetensors";

    public override byte[][] Seeds { get; } =
    [
        SafeTensorsSamples.Small(),
        File.ReadAllBytes(SafeTensorsSamples.ConformanceFile("lstm_h1_t1_b1")),
        FuzzSeeds.NetworkFile(),
    ];

    public override object Load(byte[] bytes) => SafeTensorsFile.Parse(bytes);

    public override void VerifyAccepted(byte[] bytes, object loaded)
    {
        var file = (SafeTensorsFile)loaded;
        long headerEnd = 8 + (long)BitConverter.ToUInt64(bytes, 0);
        long covered = 0;
        foreach (SafeTensorsEntry entry in file.Tensors)
        {
            Assert.Equal(entry.ElementCount * entry.DType.ElementSize(), entry.ByteLength);
            Assert.Equal(headerEnd + entry.DataBegin, entry.FileOffset);
            Assert.True(bytes.AsSpan((int)entry.FileOffset, (int)entry.ByteLength).SequenceEqual(file.RawBytes(entry.Name)));
            covered += entry.ByteLength;
        }

        Assert.Equal(bytes.Length - headerEnd, covered);
        SafeTensorsSamples.ReadAll(file);
    }
}

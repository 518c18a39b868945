using System;
using System.IO;
using Xunit;
using FastRnn.IO;

namespace FastRnn.Tests.IO;

/// <summary><see cref="SafeTensorsFile.Read(Stream, string)"/> gives what reading the path gives, and keeps the reader's checks.</summary>
public sealed class SafeTensorsStreamTests
{
    [Fact]
    public void AStreamReadsLikeThePath()
    {
        foreach (string path in Directory.GetFiles(SafeTensorsSamples.ConformanceDirectory, "*.safetensors"))
        {
            SafeTensorsFile fromPath = SafeTensorsFile.Read(path);
            using FileStream stream = File.OpenRead(path);
            SafeTensorsFile fromStream = SafeTensorsFile.Read(stream, path);
            Assert.Equal(fromPath.Metadata, fromStream.Metadata);
            Assert.Equal(fromPath.Tensors.Count, fromStream.Tensors.Count);
            foreach (SafeTensorsEntry entry in fromPath.Tensors)
            {
                Assert.True(fromPath.RawBytes(entry.Name).SequenceEqual(fromStream.RawBytes(entry.Name)), entry.Name);
            }
        }
    }

    [Fact]
    public void BadStreamsAreRefused()
    {
        Assert.Throws<ArgumentNullException>(() => SafeTensorsFile.Read((Stream)null!));
        using var writeOnly = new FailingStream(new MemoryStream(), 100);
        Assert.Throws<ArgumentException>(() => SafeTensorsFile.Read(writeOnly));
        using var empty = new MemoryStream();
        Assert.Contains("Invalid safetensors file 'empty': the file is 0 bytes long", Assert.Throws<FastRnnFormatException>(() => SafeTensorsFile.Read(empty, "empty")).Message, StringComparison.Ordinal);
    }
}

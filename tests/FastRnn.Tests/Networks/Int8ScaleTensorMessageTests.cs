using System;
using System.IO;
using FastRnn.IO;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// An int8 network file whose row scales are missing, of another dtype or of the wrong shape is
/// refused with a message that says which (the expected and the actual shape and dtype), as every
/// other bad tensor is.
/// </summary>
public sealed class Int8ScaleTensorMessageTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fastrnn-int8-scale-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void AMissingScaleIsNamedAsMissing()
    {
        var e = Assert.Throws<FastRnnFormatException>(() => Load(Writer()));
        Assert.Contains("'weight_ih_l0.scale'", e.Message, StringComparison.Ordinal);
        Assert.Contains("no tensor", e.Message, StringComparison.Ordinal);
        Assert.Contains("[16]", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { 15 }, "F32 [15]")]
    [InlineData(new[] { 16, 1 }, "F32 [16, 1]")]
    [InlineData(new[] { 4, 4 }, "F32 [4, 4]")]
    public void AScaleOfTheWrongShapeIsNamedWithItsShape(int[] shape, string actual)
    {
        int count = 1;
        foreach (int s in shape)
        {
            count *= s;
        }

        SafeTensorsWriter writer = Writer();
        writer.Add("weight_ih_l0.scale", new float[count], shape);
        var e = Assert.Throws<FastRnnFormatException>(() => Load(writer));
        Assert.Contains(actual, e.Message, StringComparison.Ordinal);
        Assert.Contains("F32 [16]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AScaleOfAnotherDTypeIsNamedWithItsDType()
    {
        SafeTensorsWriter writer = Writer();
        writer.AddBFloat16("weight_ih_l0.scale", new ushort[16], [16]);
        var e = Assert.Throws<FastRnnFormatException>(() => Load(writer));
        Assert.Contains("BF16 [16]", e.Message, StringComparison.Ordinal);
        Assert.Contains("F32 [16]", e.Message, StringComparison.Ordinal);
    }

    // An int8 LSTM(3, 4) file without weight_ih_l0's scale (W_ih is [16, 3]).
    private SafeTensorsWriter Writer()
    {
        string saved = Path.Combine(folder, "saved.safetensors");
        NetworkFile.Save(RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, 3, 4), 2).WithWeightFormat(WeightFormat.Int8), saved);
        SafeTensorsFile file = SafeTensorsFile.Read(saved);
        var writer = new SafeTensorsWriter();
        foreach ((string key, string value) in file.Metadata)
        {
            writer.SetMetadata(key, value);
        }

        foreach (SafeTensorsEntry entry in file.Tensors)
        {
            if (entry.Name == "weight_ih_l0.scale")
            {
                continue;
            }

            if (entry.DType == SafeTensorsDType.I8)
            {
                writer.AddInt8(entry.Name, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(file.RawBytes(entry.Name)), [.. entry.Shape]);
            }
            else
            {
                writer.Add(entry.Name, file.ReadFloat32(entry.Name), [.. entry.Shape]);
            }
        }

        return writer;
    }

    private RecurrentNetwork Load(SafeTensorsWriter writer)
    {
        string path = Path.Combine(folder, "model.safetensors");
        writer.Save(path);
        return NetworkFile.Load(path);
    }
}

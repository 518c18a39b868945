using System;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using FastRnn.IO;
using FastRnn.Networks;
using FastRnn.Tests.Modules;
using Xunit;

namespace FastRnn.Tests.IO;

/// <summary>
/// Every whole-byte dtype of the format parses, so a state_dict whose other tensors FastRnn does not
/// read (a bool mask, a counter, an fp8 layer) loads; none of them is read as weights.
/// </summary>
public sealed class SafeTensorsDTypeTests
{
    public static TheoryData<string, SafeTensorsDType, int> Types => new()
    {
        { "BOOL", SafeTensorsDType.Bool, 1 },
        { "I16", SafeTensorsDType.I16, 2 },
        { "U16", SafeTensorsDType.U16, 2 },
        { "U32", SafeTensorsDType.U32, 4 },
        { "U64", SafeTensorsDType.U64, 8 },
        { "F8_E4M3", SafeTensorsDType.F8E4M3, 1 },
        { "F8_E5M2", SafeTensorsDType.F8E5M2, 1 },
    };

    [Theory]
    [MemberData(nameof(Types))]
    public void ParsesWithItsSizeAndName(string header, SafeTensorsDType dtype, int size)
    {
        SafeTensorsFile file = SafeTensorsFile.Parse(SafeTensorsBytes.Build(SafeTensorsBytes.OneTensor("w", header, "[3]", $"[0,{3 * size}]"), 3 * size), "t");
        SafeTensorsEntry entry = file.Tensors[0];
        Assert.Equal(dtype, entry.DType);
        Assert.Equal(size, dtype.ElementSize());
        Assert.Equal(header, dtype.ToHeaderName());
        Assert.True(SafeTensorsDTypes.TryParse(header, out SafeTensorsDType parsed));
        Assert.Equal(dtype, parsed);
        Assert.Equal(3 * size, file.RawBytes("w").Length);
        Assert.Contains("dtype", Assert.Throws<FastRnnFormatException>(() => file.ReadFloat32("w")).Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void AModuleWithSuchATensorOutsideItsPrefixesLoadsWhenToldToIgnoreIt(string header, SafeTensorsDType dtype, int size)
    {
        _ = dtype;
        byte[] file = WithExtra(ModuleBytes.LstmWithHead(out RecurrentNetwork network).ToArray(), "mask", header, 3, size);
        LoadedModule module = ModuleFile.Load(file, new ModuleLoadOptions { RnnPrefix = "rnn.", HeadPrefix = "head.", IgnoreOtherTensors = true });
        Assert.Equal(["mask"], module.IgnoredTensors);
        Assert.Equal(network.GetParameter("weight_hh_l1").ToArray(), module.Network.GetParameter("weight_hh_l1").ToArray());
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void SuchATensorIsRefusedAsAWeight(string header, SafeTensorsDType dtype, int size)
    {
        _ = dtype;
        byte[] file = WithExtra(ModuleBytes.LstmWithHead(out _).ToArray(), "rnn.weight_hr_l0", header, 3, size);
        var e = Assert.Throws<FastRnnFormatException>(() => ModuleFile.Load(file, new ModuleLoadOptions { RnnPrefix = "rnn.", HeadPrefix = "head." }));
        Assert.Contains("weight_hr_l0", e.Message, StringComparison.Ordinal);
    }

    // The file with one more tensor [count] of the given dtype after the others' data.
    private static byte[] WithExtra(byte[] file, string name, string dtype, int count, int size)
    {
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(file, 8, headerLength))!.AsObject();
        byte[] data = file[(8 + headerLength)..];
        header[name] = new JsonObject
        {
            ["dtype"] = dtype,
            ["shape"] = new JsonArray(count),
            ["data_offsets"] = new JsonArray(data.Length, data.Length + (count * size)),
        };
        return SafeTensorsBytes.Build(header.ToJsonString(), [.. data, .. new byte[count * size]]);
    }
}

using System;
using System.Buffers.Binary;
using System.Text;
using FastRnn.IO;
using Xunit;

namespace FastRnn.Tests.IO;

public class SafeTensorsRoundTripTests
{
    [Fact]
    public void Written_tensors_and_metadata_read_back_identically()
    {
        var file = SafeTensorsFile.Parse(SafeTensorsSamples.Small());

        Assert.Equal("LSTM", file.Metadata["mode"]);
        Assert.Single(file.Metadata);
        Assert.Equal(new[] { "w", "d", "n", "s", "e" }, Names(file));
        Assert.Equal(new float[] { 1f, -2.5f, 3f, 4f, 5f, 6f }, file.ReadFloat32("w"));
        Assert.Equal(new double[] { Math.PI, -1e300 }, file.ReadFloat64("d"));
        Assert.Equal(new long[] { long.MinValue, 7 }, file.ReadInt64("n"));

        SafeTensorsEntry w = file.Get("w");
        Assert.Equal(SafeTensorsDType.F32, w.DType);
        Assert.Equal(new[] { 2, 3 }, w.Shape);
        Assert.Equal(6, w.ElementCount);
        Assert.Equal(0, w.DataBegin);
        Assert.Equal(24, w.DataEnd);
        Assert.Equal(24, w.ByteLength);
        Assert.Equal(SafeTensorsDType.F64, file.Get("d").DType);
        Assert.Equal(SafeTensorsDType.I64, file.Get("n").DType);
    }

    [Fact]
    public void Scalar_has_empty_shape_and_one_element()
    {
        var file = SafeTensorsFile.Parse(SafeTensorsSamples.Small());

        SafeTensorsEntry scalar = file.Get("s");
        Assert.Empty(scalar.Shape);
        Assert.Equal(1, scalar.ElementCount);
        Assert.Equal(new[] { 42f }, file.ReadFloat32("s"));
    }

    [Fact]
    public void Empty_tensor_has_zero_elements_and_no_bytes()
    {
        var file = SafeTensorsFile.Parse(SafeTensorsSamples.Small());

        SafeTensorsEntry empty = file.Get("e");
        Assert.Equal(new[] { 0 }, empty.Shape);
        Assert.Equal(0, empty.ElementCount);
        Assert.Equal(0, empty.ByteLength);
        Assert.Empty(file.ReadFloat32("e"));
        Assert.Equal(0, file.RawBytes("e").Length);
    }

    [Fact]
    public void Writer_output_follows_the_standard_layout()
    {
        byte[] bytes = SafeTensorsSamples.Small();

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, headerLength % 8);
        Assert.Equal((byte)'{', bytes[8]);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        Assert.StartsWith("{\"__metadata__\":{\"mode\":\"LSTM\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}", header, StringComparison.Ordinal);
        string json = header.TrimEnd(' ');
        Assert.EndsWith("}", json, StringComparison.Ordinal);
        Assert.InRange(header.Length - json.Length, 0, 7);
        Assert.Equal(24 + 16 + 16 + 4 + 0, bytes.Length - 8 - (int)headerLength);
    }

    [Fact]
    public void File_without_metadata_has_no_metadata_key()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("x", new float[] { 1f }, new[] { 1 });

        byte[] bytes = writer.ToArray();
        var file = SafeTensorsFile.Parse(bytes);

        Assert.Empty(file.Metadata);
        Assert.DoesNotContain("__metadata__", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_writer_produces_a_valid_file_with_no_tensors()
    {
        var file = SafeTensorsFile.Parse(new SafeTensorsWriter().ToArray());

        Assert.Empty(file.Tensors);
        Assert.Empty(file.Metadata);
    }

    [Fact]
    public void Non_ascii_names_and_metadata_survive()
    {
        var writer = new SafeTensorsWriter();
        writer.SetMetadata("note", "poids \"ω\" <b>\n");
        writer.Add("gewicht_ü.λ", new float[] { 2f }, new[] { 1 });

        var file = SafeTensorsFile.Parse(writer.ToArray());

        Assert.Equal("poids \"ω\" <b>\n", file.Metadata["note"]);
        Assert.Equal(new[] { 2f }, file.ReadFloat32("gewicht_ü.λ"));
    }

    [Fact]
    public void SetMetadata_replaces_an_earlier_value()
    {
        var writer = new SafeTensorsWriter();
        writer.SetMetadata("k", "1");
        writer.SetMetadata("k", "2");

        Assert.Equal("2", SafeTensorsFile.Parse(writer.ToArray()).Metadata["k"]);
    }

    [Fact]
    public void Reader_widens_and_narrows_between_float_types()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("f", new float[] { 0.1f, -3f }, new[] { 2 });
        writer.Add("d", new double[] { 0.1, -3.0 }, new[] { 2 });
        var file = SafeTensorsFile.Parse(writer.ToArray());

        Assert.Equal(new double[] { 0.1f, -3.0 }, file.ReadFloat64("f"));
        Assert.Equal(new float[] { 0.1f, -3f }, file.ReadFloat32("d"));
    }

    [Fact]
    public void Reader_decodes_half_precision_and_narrow_integer_dtypes()
    {
        string header =
            "{\"bf\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}," +
            "\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[4,8]}," +
            "\"i\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[8,16]}," +
            "\"b\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[16,17]}," +
            "\"u\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[17,18]}}";
        var data = new byte[18];
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(0), 0x3F80); // 1.0
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2), 0xC000); // -2.0
        BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(4), (Half)0.5f);
        BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(6), (Half)(-1.25f));
        BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(8), -7);
        BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(12), int.MaxValue);
        data[16] = 0x80;
        data[17] = 0xFF;

        var file = SafeTensorsFile.Parse(SafeTensorsBytes.Build(header, data));

        Assert.Equal(new[] { 1f, -2f }, file.ReadFloat32("bf"));
        Assert.Equal(new[] { 0.5f, -1.25f }, file.ReadFloat32("h"));
        Assert.Equal(new long[] { -7, int.MaxValue }, file.ReadInt64("i"));
        Assert.Equal(SafeTensorsDType.I8, file.Get("b").DType);
        Assert.Equal(new byte[] { 0x80 }, file.RawBytes("b").ToArray());
        Assert.Equal(new byte[] { 0xFF }, file.RawBytes("u").ToArray());
    }

    [Fact]
    public void Parse_copies_its_input_so_later_changes_do_not_show()
    {
        byte[] bytes = SafeTensorsSamples.Small();
        var file = SafeTensorsFile.Parse(bytes);

        Array.Clear(bytes);

        Assert.Equal(new float[] { 1f, -2.5f, 3f, 4f, 5f, 6f }, file.ReadFloat32("w"));
    }

    [Fact]
    public void Tensors_may_be_listed_in_any_order_of_offsets()
    {
        string header =
            "{\"second\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}," +
            "\"first\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        var data = new byte[8];
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(0), 1f);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4), 2f);

        var file = SafeTensorsFile.Parse(SafeTensorsBytes.Build(header, data));

        Assert.Equal(new[] { "second", "first" }, Names(file));
        Assert.Equal(new[] { 2f }, file.ReadFloat32("second"));
        Assert.Equal(new[] { 1f }, file.ReadFloat32("first"));
    }

    private static string[] Names(SafeTensorsFile file)
    {
        var names = new string[file.Tensors.Count];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = file.Tensors[i].Name;
        }

        return names;
    }
}

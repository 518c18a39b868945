using Xunit;
using static FastRnn.Tests.IO.SafeTensorsRejection;

namespace FastRnn.Tests.IO;

/// <summary>Failures in how the tensors share the data section: overlaps, holes and trailing bytes.</summary>
public class SafeTensorsLayoutValidationTests
{
    private static string TwoTensors(string firstOffsets, string secondOffsets) =>
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":" + firstOffsets + "}," +
        "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":" + secondOffsets + "}}";

    [Fact]
    public void Overlapping_tensors_are_rejected()
    {
        AssertRejected(SafeTensorsBytes.Build(TwoTensors("[0,8]", "[4,12]"), 12), "tensor 'b'", "overlaps tensor 'a'");
    }

    [Fact]
    public void Tensors_sharing_the_same_bytes_are_rejected()
    {
        AssertRejected(SafeTensorsBytes.Build(TwoTensors("[0,8]", "[0,8]"), 8), "overlaps");
    }

    [Fact]
    public void Empty_tensor_inside_another_tensor_is_rejected()
    {
        string header =
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
            "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}";

        AssertRejected(SafeTensorsBytes.Build(header, 8), "tensor 'e'", "overlaps tensor 'a'");
    }

    [Fact]
    public void Empty_tensors_between_others_are_accepted()
    {
        string header =
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}," +
            "\"e\":{\"dtype\":\"F32\",\"shape\":[0,5],\"data_offsets\":[4,4]}," +
            "\"f\":{\"dtype\":\"F64\",\"shape\":[0],\"data_offsets\":[4,4]}," +
            "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";

        var file = FastRnn.IO.SafeTensorsFile.Parse(SafeTensorsBytes.Build(header, 8));

        Assert.Equal(4, file.Tensors.Count);
        Assert.Equal(0, file.Get("e").ElementCount);
    }

    [Fact]
    public void Hole_between_tensors_is_rejected()
    {
        AssertRejected(SafeTensorsBytes.Build(TwoTensors("[0,8]", "[12,20]"), 20), "hole before tensor 'b'", "[8, 12)");
    }

    [Fact]
    public void Hole_at_the_start_of_the_data_section_is_rejected()
    {
        AssertRejected(SafeTensorsBytes.Build(TwoTensors("[12,20]", "[4,12]"), 20), "hole before tensor 'b'", "[0, 4)");
    }

    [Fact]
    public void Trailing_bytes_after_the_last_tensor_are_rejected()
    {
        AssertRejected(SafeTensorsBytes.Build(TwoTensors("[8,16]", "[0,8]"), 19), "3 trailing bytes", "after the last tensor 'a'");
    }

    [Fact]
    public void Data_bytes_with_no_tensors_are_rejected()
    {
        AssertRejected(SafeTensorsBytes.Build("{}", 4), "4 trailing bytes", "no tensors");
    }
}

using System;
using FastRnn.IO;
using Xunit;

namespace FastRnn.Tests.IO;

/// <summary>Asking a valid file for something it does not hold.</summary>
public class SafeTensorsLookupTests
{
    [Fact]
    public void Get_of_a_missing_tensor_names_it_and_lists_the_tensors_present()
    {
        var file = SafeTensorsFile.Parse(SafeTensorsSamples.Small(), "small.safetensors");

        var error = Assert.Throws<FastRnnFormatException>(() => file.Get("weight"));

        Assert.Contains("small.safetensors", error.Message, StringComparison.Ordinal);
        Assert.Contains("no tensor named 'weight'", error.Message, StringComparison.Ordinal);
        Assert.Contains("5 tensors: 'w', 'd', 'n', 's', 'e'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_tensor_message_truncates_a_long_list_of_names()
    {
        var writer = new SafeTensorsWriter();
        for (int i = 0; i < 25; i++)
        {
            writer.Add("t" + i, new float[] { i }, new[] { 1 });
        }

        var file = SafeTensorsFile.Parse(writer.ToArray());

        var error = Assert.Throws<FastRnnFormatException>(() => file.ReadFloat32("missing"));
        Assert.Contains("25 tensors: 't0', 't1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'t9' and 15 more", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'t10'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_tensor_in_an_empty_file_says_it_holds_none()
    {
        var file = SafeTensorsFile.Parse(new SafeTensorsWriter().ToArray());

        var error = Assert.Throws<FastRnnFormatException>(() => file.RawBytes("x").Length);
        Assert.Contains("holds no tensors", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Contains_and_TryGet_report_absence_without_throwing()
    {
        var file = SafeTensorsFile.Parse(SafeTensorsSamples.Small());

        Assert.True(file.Contains("w"));
        Assert.False(file.Contains("W"));
        Assert.True(file.TryGet("d", out SafeTensorsEntry? entry));
        Assert.Equal("d", entry.Name);
        Assert.False(file.TryGet("nope", out _));
    }

    [Theory]
    [InlineData("n", "F32")]
    [InlineData("w", "I64")]
    public void Reading_with_an_incompatible_type_names_tensor_and_dtypes(string name, string reader)
    {
        var file = SafeTensorsFile.Parse(SafeTensorsSamples.Small(), "small.safetensors");

        var error = Assert.Throws<FastRnnFormatException>(() =>
        {
            if (reader == "F32")
            {
                file.ReadFloat32(name);
            }
            else
            {
                file.ReadInt64(name);
            }
        });

        Assert.Contains($"tensor '{name}' has dtype", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFloat64_rejects_half_precision_with_the_expected_dtypes()
    {
        byte[] bytes = SafeTensorsBytes.Build(SafeTensorsBytes.OneTensor("h", "F16", "[1]", "[0,2]"), 2);
        var file = SafeTensorsFile.Parse(bytes);

        var error = Assert.Throws<FastRnnFormatException>(() => file.ReadFloat64("h"));
        Assert.Contains("tensor 'h' has dtype F16, expected F64 or F32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Entry_shape_cannot_be_modified_through_its_interface()
    {
        var file = SafeTensorsFile.Parse(SafeTensorsSamples.Small());

        var shape = Assert.IsAssignableFrom<System.Collections.Generic.IList<int>>(file.Get("w").Shape);
        Assert.Throws<NotSupportedException>(() => shape[0] = 9);
        Assert.Equal(2, file.Get("w").Shape[0]);
    }
}

using Xunit;
using static FastRnn.Tests.IO.SafeTensorsRejection;

namespace FastRnn.Tests.IO;

/// <summary>Failures inside one tensor's header entry: its fields, dtype, shape and data_offsets.</summary>
public class SafeTensorsEntryValidationTests
{
    private static byte[] OneTensor(string dtype, string shape, string offsets, int dataLength) =>
        SafeTensorsBytes.Build(SafeTensorsBytes.OneTensor("w", dtype, shape, offsets), dataLength);

    [Fact]
    public void Unknown_dtype_is_rejected()
    {
        AssertRejected(OneTensor("Q4", "[2]", "[0,8]", 8), "tensor 'w'", "unknown dtype 'Q4'");
    }

    [Fact]
    public void Dtype_names_are_case_sensitive()
    {
        AssertRejected(OneTensor("f32", "[2]", "[0,8]", 8), "tensor 'w'", "unknown dtype 'f32'");
    }

    [Fact]
    public void Dtype_that_is_not_a_string_is_rejected()
    {
        byte[] bytes = SafeTensorsBytes.Build("{\"w\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}", 8);

        AssertRejected(bytes, "tensor 'w'", "dtype", "Number");
    }

    [Fact]
    public void Negative_dimension_is_rejected()
    {
        AssertRejected(OneTensor("F32", "[2,-1]", "[0,8]", 8), "tensor 'w'", "shape[1] = -1");
    }

    [Fact]
    public void Non_integer_dimension_is_rejected()
    {
        AssertRejected(OneTensor("F32", "[2.5]", "[0,8]", 8), "tensor 'w'", "shape[0] = 2.5");
    }

    [Fact]
    public void Dimension_written_with_an_exponent_is_rejected()
    {
        AssertRejected(OneTensor("F32", "[2e0]", "[0,8]", 8), "tensor 'w'", "shape[0] = 2e0");
    }

    [Fact]
    public void Dimension_that_does_not_fit_an_int_is_rejected()
    {
        AssertRejected(OneTensor("F32", "[2147483648]", "[0,8]", 8), "tensor 'w'", "shape[0] = 2147483648", "0..2147483647");
    }

    [Fact]
    public void Enormous_dimension_literal_is_rejected_and_cut_short_in_the_message()
    {
        string huge = new string('9', 5000);

        var error = AssertRejected(OneTensor("F32", "[" + huge + "]", "[0,8]", 8), "tensor 'w'", "shape[0] = 9999");
        Assert.True(error.Message.Length < 400, error.Message);
    }

    [Fact]
    public void Dimension_given_as_a_string_is_rejected()
    {
        AssertRejected(OneTensor("F32", "[\"2\"]", "[0,8]", 8), "tensor 'w'", "shape[0] = \"2\"");
    }

    [Fact]
    public void Shape_that_is_not_an_array_is_rejected()
    {
        AssertRejected(OneTensor("F32", "2", "[0,8]", 8), "tensor 'w'", "shape", "not an array");
    }

    [Fact]
    public void Nested_array_in_shape_is_rejected()
    {
        AssertRejected(OneTensor("F32", "[[2]]", "[0,8]", 8), "tensor 'w'", "shape[0] = an array");
    }

    [Fact]
    public void Shape_whose_element_count_overflows_is_rejected()
    {
        AssertRejected(
            OneTensor("F32", "[2147483647,2147483647,2147483647]", "[0,8]", 8),
            "tensor 'w'", "shape [2147483647, 2147483647, 2147483647]", "overflows");
    }

    [Fact]
    public void Shape_whose_byte_size_overflows_is_rejected()
    {
        AssertRejected(OneTensor("F64", "[2147483647,2147483647]", "[0,8]", 8), "tensor 'w'", "overflows");
    }

    [Theory]
    [InlineData("[0]", "1 values")]
    [InlineData("[]", "0 values")]
    [InlineData("[0,4,8]", "3 values")]
    public void Data_offsets_without_exactly_two_values_are_rejected(string offsets, string expected)
    {
        AssertRejected(OneTensor("F32", "[2]", offsets, 8), "tensor 'w'", "data_offsets", expected);
    }

    [Theory]
    [InlineData("[-1,8]", "data_offsets[0] = -1")]
    [InlineData("[0,8.0]", "data_offsets[1] = 8.0")]
    [InlineData("[0,\"8\"]", "data_offsets[1] = \"8\"")]
    [InlineData("[0,null]", "data_offsets[1] = null")]
    [InlineData("[0,9223372036854775808]", "data_offsets[1] = 9223372036854775808")]
    public void Data_offsets_that_are_not_non_negative_integers_are_rejected(string offsets, string expected)
    {
        AssertRejected(OneTensor("F32", "[2]", offsets, 8), "tensor 'w'", expected, "non-negative integer");
    }

    [Fact]
    public void Data_offsets_that_are_not_an_array_are_rejected()
    {
        AssertRejected(OneTensor("F32", "[2]", "{\"begin\":0}", 8), "tensor 'w'", "data_offsets", "not an array");
    }

    [Fact]
    public void Data_offsets_with_begin_after_end_are_rejected()
    {
        AssertRejected(OneTensor("F32", "[0]", "[8,0]", 8), "tensor 'w'", "[8, 0]", "begin > end");
    }

    [Fact]
    public void Data_offsets_past_the_data_section_are_rejected()
    {
        AssertRejected(OneTensor("F32", "[4]", "[0,16]", 8), "tensor 'w'", "[0, 16]", "only 8 bytes long");
    }

    [Fact]
    public void Byte_count_that_disagrees_with_shape_and_dtype_is_rejected()
    {
        AssertRejected(OneTensor("F64", "[2,3]", "[0,24]", 24), "tensor 'w'", "spanning 24 bytes, expected 48", "6 elements of F64", "[2, 3]");
    }

    [Fact]
    public void Missing_field_is_rejected()
    {
        byte[] bytes = SafeTensorsBytes.Build("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8);

        AssertRejected(bytes, "tensor 'w'", "missing the field 'shape'");
    }

    [Fact]
    public void Unexpected_field_is_rejected()
    {
        byte[] bytes = SafeTensorsBytes.Build(
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"stride\":[1]}}", 8);

        AssertRejected(bytes, "tensor 'w'", "unexpected field 'stride'");
    }

    [Fact]
    public void Field_given_twice_is_rejected()
    {
        byte[] bytes = SafeTensorsBytes.Build(
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"shape\":[2],\"data_offsets\":[0,8]}}", 8);

        AssertRejected(bytes, "tensor 'w'", "field 'shape' twice");
    }

    [Theory]
    [InlineData("[]", "StartArray")]
    [InlineData("\"F32\"", "String")]
    [InlineData("null", "Null")]
    public void Tensor_that_is_not_an_object_is_rejected(string value, string tokenType)
    {
        AssertRejected(SafeTensorsBytes.Build("{\"w\":" + value + "}", 0), "tensor 'w'", "must be an object", tokenType);
    }
}

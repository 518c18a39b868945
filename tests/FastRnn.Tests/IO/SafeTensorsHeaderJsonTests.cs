using System;
using System.Text;
using Xunit;
using static FastRnn.Tests.IO.SafeTensorsRejection;

namespace FastRnn.Tests.IO;

/// <summary>Failures in the header as JSON: encoding, syntax, nesting and the shape of the top-level object.</summary>
public class SafeTensorsHeaderJsonTests
{
    [Fact]
    public void Header_that_is_not_utf8_is_rejected()
    {
        byte[] header = Encoding.UTF8.GetBytes("{\"t?\":{}}");
        header[3] = 0xFF;

        AssertRejected(SafeTensorsBytes.Build(header, Array.Empty<byte>()), "not valid UTF-8");
    }

    [Fact]
    public void Header_with_a_json_syntax_error_is_rejected()
    {
        AssertRejected(SafeTensorsBytes.Build("{\"t\":{\"dtype\":\"F32\",}", 0), "not valid JSON");
    }

    [Fact]
    public void Header_with_text_after_the_object_is_rejected()
    {
        AssertRejected(SafeTensorsBytes.Build("{}  x", 0), "not valid JSON");
    }

    [Fact]
    public void Header_with_comments_is_rejected()
    {
        AssertRejected(SafeTensorsBytes.Build("{} // c", 0), "not valid JSON");
    }

    [Fact]
    public void Empty_header_is_rejected()
    {
        AssertRejected(SafeTensorsBytes.Build("", 0), "not valid JSON");
    }

    [Fact]
    public void Header_that_is_not_an_object_is_rejected()
    {
        AssertRejected(SafeTensorsBytes.Build("[]", 0), "must be a JSON object", "StartArray");
    }

    [Fact]
    public void Header_nested_too_deeply_is_rejected()
    {
        string deep = new string('[', 20) + new string(']', 20);

        AssertRejected(SafeTensorsBytes.Build("{\"__metadata__\":{\"k\":" + deep + "}}", 0), "nests deeper than 8 levels");
    }

    [Fact]
    public void Eight_levels_pass_the_depth_check_and_nine_do_not()
    {
        // Root and __metadata__ are levels 1 and 2, so 6 arrays make 8 levels and 7 make 9.
        string eight = "{\"__metadata__\":{\"k\":" + new string('[', 6) + new string(']', 6) + "}}";
        string nine = "{\"__metadata__\":{\"k\":" + new string('[', 7) + new string(']', 7) + "}}";

        AssertRejected(SafeTensorsBytes.Build(eight, 0), "entry 'k' must be a string");
        AssertRejected(SafeTensorsBytes.Build(nine, 0), "nests deeper than 8 levels");
    }

    [Fact]
    public void Very_deep_nesting_is_rejected_without_stack_overflow()
    {
        string deep = new string('[', 100_000) + new string(']', 100_000);

        AssertRejected(SafeTensorsBytes.Build("{\"t\":" + deep + "}", 0), "nests deeper");
    }

    [Fact]
    public void Duplicate_tensor_names_are_rejected()
    {
        string header =
            "{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}," +
            "\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";

        AssertRejected(SafeTensorsBytes.Build(header, 8), "duplicate tensor name 't'");
    }

    [Fact]
    public void Duplicate_names_that_differ_only_in_escaping_are_rejected()
    {
        string header =
            "{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}," +
            "\"\\u0074\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";

        AssertRejected(SafeTensorsBytes.Build(header, 8), "duplicate tensor name 't'");
    }

    [Fact]
    public void Name_with_an_unpaired_surrogate_escape_is_rejected()
    {
        AssertRejected(
            SafeTensorsBytes.Build(SafeTensorsBytes.OneTensor("\\ud800", "F32", "[1]", "[0,4]"), 4),
            "cannot be decoded");
    }

    [Fact]
    public void Metadata_twice_is_rejected()
    {
        AssertRejected(SafeTensorsBytes.Build("{\"__metadata__\":{},\"__metadata__\":{}}", 0), "'__metadata__' twice");
    }

    [Fact]
    public void Metadata_value_that_is_not_a_string_is_rejected()
    {
        AssertRejected(
            SafeTensorsBytes.Build("{\"__metadata__\":{\"mode\":\"LSTM\",\"hidden_size\":3}}", 0),
            "'__metadata__' entry 'hidden_size' must be a string", "Number");
    }

    [Theory]
    [InlineData("null", "Null")]
    [InlineData("[\"x\"]", "StartArray")]
    [InlineData("{}", "StartObject")]
    [InlineData("true", "True")]
    public void Metadata_values_of_other_json_types_are_rejected(string value, string tokenType)
    {
        AssertRejected(SafeTensorsBytes.Build("{\"__metadata__\":{\"b\":\"ok\",\"x\":" + value + "}}", 0), "'x'", tokenType);
    }

    [Theory]
    [InlineData("null", "Null")]
    [InlineData("[]", "StartArray")]
    [InlineData("\"s\"", "String")]
    public void Metadata_that_is_not_an_object_is_rejected(string value, string tokenType)
    {
        AssertRejected(SafeTensorsBytes.Build("{\"__metadata__\":" + value + "}", 0), "'__metadata__' must be an object", tokenType);
    }

    [Fact]
    public void Duplicate_metadata_key_is_rejected()
    {
        AssertRejected(SafeTensorsBytes.Build("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0), "key 'k' twice");
    }
}

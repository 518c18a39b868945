using System;
using System.Text;
using Xunit;
using static FastRnn.Tests.IO.SafeTensorsRejection;

namespace FastRnn.Tests.IO;

/// <summary>Failures detected from the 8-byte length prefix alone, before the header is looked at.</summary>
public class SafeTensorsPrefixValidationTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void File_shorter_than_the_length_prefix_is_rejected(int length)
    {
        AssertRejected(new byte[length], $"{length} bytes long", "8-byte header length");
    }

    [Fact]
    public void Header_length_beyond_the_end_of_the_file_is_rejected()
    {
        byte[] bytes = SafeTensorsBytes.Build(100, Encoding.UTF8.GetBytes("{}"), new byte[3]);

        AssertRejected(bytes, "header length is 100", "only 5 bytes follow");
    }

    [Fact]
    public void Header_length_over_100_MB_is_rejected_without_allocating_it()
    {
        byte[] bytes = SafeTensorsBytes.Build(200_000_000, Encoding.UTF8.GetBytes("{}"), Array.Empty<byte>());

        AssertRejected(bytes, "header length is 200000000", "limit of 100000000");
    }

    [Fact]
    public void Header_length_near_the_top_of_the_u64_range_is_rejected()
    {
        byte[] bytes = SafeTensorsBytes.Build(ulong.MaxValue, Encoding.UTF8.GetBytes("{}"), Array.Empty<byte>());

        AssertRejected(bytes, "header length is 18446744073709551615");
    }
}

using System;
using FastRnn.IO;
using Xunit;

namespace FastRnn.Tests.IO;

/// <summary>Asserts that bytes are rejected with the project's exception, naming the file and the given fragments.</summary>
internal static class SafeTensorsRejection
{
    public const string SourceName = "bad.safetensors";

    public static FastRnnFormatException AssertRejected(byte[] bytes, params string[] expectedFragments)
    {
        var error = Assert.Throws<FastRnnFormatException>(() => SafeTensorsFile.Parse(bytes, SourceName));
        Assert.Contains(SourceName, error.Message, StringComparison.Ordinal);
        foreach (string fragment in expectedFragments)
        {
            // Assert.True rather than Assert.Contains so that a failure shows the whole message.
            Assert.True(
                error.Message.Contains(fragment, StringComparison.Ordinal),
                $"Expected \"{fragment}\" in: {error.Message}");
        }

        return error;
    }
}

using System;
using System.IO;
using FastRnn.IO;
using FsCheck.Xunit;
using Xunit;

namespace FastRnn.Tests.IO;

/// <summary>Damaged files of every kind fail with <see cref="FastRnnFormatException"/> and nothing else.</summary>
public class SafeTensorsCorruptionTests
{
    private static readonly byte[] Valid = SafeTensorsSamples.Small();

    private static readonly byte[] Conformance =
        File.ReadAllBytes(SafeTensorsSamples.ConformanceFile("lstm_h1_t1_b1"));

    [Fact]
    public void Truncation_at_every_byte_is_rejected()
    {
        for (int length = 0; length < Valid.Length; length++)
        {
            byte[] truncated = Valid.AsSpan(0, length).ToArray();

            Assert.Throws<FastRnnFormatException>(() => SafeTensorsFile.Parse(truncated));
        }
    }

    [Fact]
    public void Truncation_of_a_conformance_file_at_every_byte_is_rejected()
    {
        for (int length = 0; length < Conformance.Length; length++)
        {
            ReadOnlyMemory<byte> truncated = Conformance.AsMemory(0, length);

            Assert.Throws<FastRnnFormatException>(() => SafeTensorsFile.Parse(truncated));
        }
    }

    [Fact]
    public void Every_header_byte_replaced_by_structural_characters_parses_or_is_rejected_cleanly()
    {
        // These characters are the ones most likely to turn a valid header into a subtly wrong one.
        byte[] replacements = "0 9-.\"{}[],:e\\"u8.ToArray();
        int headerEnd = 8 + (int)BitConverter.ToUInt64(Valid, 0);
        var mutated = new byte[Valid.Length];
        for (int position = 0; position < headerEnd; position++)
        {
            foreach (byte replacement in replacements)
            {
                Valid.CopyTo(mutated, 0);
                mutated[position] = replacement;
                AssertParsesOrRejects(mutated);
            }
        }
    }

    [Property(MaxTest = 500)]
    public void Random_mutations_of_a_valid_file_parse_or_are_rejected_cleanly(int[] positions, byte[] values)
    {
        byte[] mutated = (byte[])Valid.Clone();
        Mutate(mutated, positions, values);
        AssertParsesOrRejects(mutated);
    }

    [Property(MaxTest = 300)]
    public void Random_mutations_of_a_conformance_file_parse_or_are_rejected_cleanly(int[] positions, byte[] values)
    {
        byte[] mutated = (byte[])Conformance.Clone();
        Mutate(mutated, positions, values);
        AssertParsesOrRejects(mutated);
    }

    private static void Mutate(byte[] bytes, int[] positions, byte[] values)
    {
        int count = Math.Min(positions?.Length ?? 0, values?.Length ?? 0);
        for (int i = 0; i < count; i++)
        {
            bytes[(int)((uint)positions![i] % (uint)bytes.Length)] = values![i];
        }
    }

    private static void AssertParsesOrRejects(byte[] bytes)
    {
        try
        {
            SafeTensorsFile file = SafeTensorsFile.Parse(bytes);
            SafeTensorsSamples.ReadAll(file);
        }
        catch (FastRnnFormatException)
        {
            // Rejection is the other acceptable outcome; any other exception type fails the test.
        }
    }
}

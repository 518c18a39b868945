using System;
using FastRnn.IO;
using Xunit;

namespace FastRnn.Tests.IO;

/// <summary>Misuse of <see cref="SafeTensorsWriter"/> is reported as argument errors, naming what was wrong.</summary>
public class SafeTensorsWriterArgumentTests
{
    [Fact]
    public void Duplicate_name_is_rejected()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("w", new float[] { 1f }, new[] { 1 });

        var error = Assert.Throws<ArgumentException>(() => writer.Add("w", new double[] { 1.0 }, new[] { 1 }));

        Assert.Contains("'w'", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, writer.Count);
    }

    [Fact]
    public void Data_length_that_differs_from_the_shape_product_names_both_numbers()
    {
        var writer = new SafeTensorsWriter();

        var error = Assert.Throws<ArgumentException>(() => writer.Add("w", new float[5], new[] { 2, 3 }));

        Assert.Equal("data", error.ParamName);
        Assert.Contains("5 data elements", error.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 3] needs 6", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, writer.Count);
    }

    [Fact]
    public void Shape_product_beyond_any_span_is_reported_without_overflow()
    {
        var writer = new SafeTensorsWriter();

        var error = Assert.Throws<ArgumentException>(
            () => writer.Add("w", new long[1], new[] { int.MaxValue, int.MaxValue, int.MaxValue }));

        Assert.Contains("needs more than 2147483647", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zero_dimension_after_huge_ones_gives_an_empty_tensor()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("w", ReadOnlySpan<float>.Empty, new[] { int.MaxValue, int.MaxValue, 0 });

        Assert.Equal(0, SafeTensorsFile.Parse(writer.ToArray()).Get("w").ElementCount);
    }

    [Fact]
    public void Negative_dimension_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new SafeTensorsWriter().Add("w", Array.Empty<float>(), new[] { -1 }));

        Assert.Equal("shape", error.ParamName);
        Assert.Contains("negative dimension 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Metadata_key_cannot_name_a_tensor()
    {
        Assert.Throws<ArgumentException>(() => new SafeTensorsWriter().Add("__metadata__", new float[1], new[] { 1 }));
    }

    [Fact]
    public void Name_with_an_unpaired_surrogate_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => new SafeTensorsWriter().Add("w\ud800", new float[1], new[] { 1 }));
    }

    [Fact]
    public void Metadata_value_with_an_unpaired_surrogate_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => new SafeTensorsWriter().SetMetadata("k", "\udc00"));
    }

    [Fact]
    public void Null_arguments_are_rejected()
    {
        var writer = new SafeTensorsWriter();

        Assert.Throws<ArgumentNullException>(() => writer.Add(null!, new float[1], new[] { 1 }));
        Assert.Throws<ArgumentNullException>(() => writer.SetMetadata("k", null!));
        Assert.Throws<ArgumentNullException>(() => writer.WriteTo(null!));
    }
}

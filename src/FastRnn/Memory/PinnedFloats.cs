using System;

namespace FastRnn.Memory;

/// <summary>
/// Floats that stay put while they are used: an <see cref="AlignedBuffer"/> (pinned for its life) or a
/// caller's span under <c>fixed</c> for one call. The parts of a parallel region run on other threads
/// and cannot hold a span; they hold this and make the span where they use it.
/// </summary>
internal readonly unsafe struct PinnedFloats
{
    private readonly float* start;

    /// <summary>Wraps <paramref name="length"/> floats at <paramref name="start"/>, which must not move while this is used.</summary>
    public PinnedFloats(float* start, int length)
    {
        this.start = start;
        Length = length;
    }

    /// <summary>Number of floats.</summary>
    public int Length { get; }

    /// <summary>The floats.</summary>
    public Span<float> Span => new(start, Length);
}

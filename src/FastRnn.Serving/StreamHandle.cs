using System;
using System.Globalization;

namespace FastRnn.Serving;

/// <summary>
/// One open stream of a <see cref="StreamBatcher"/>: its slot and the generation of that slot
/// when the stream was opened. A slot is reused after its stream ends, with the next generation,
/// so a handle kept past the end of its stream is detected instead of stepping a stranger's state.
/// </summary>
public readonly struct StreamHandle : IEquatable<StreamHandle>
{
    internal StreamHandle(int slot, int generation)
    {
        Slot = slot;
        Generation = generation;
    }

    /// <summary>The slot (0..MaxStreams-1) holding the stream's state.</summary>
    public int Slot { get; }

    /// <summary>Which use of the slot this stream is (from 1); 0 for the default handle, which names no stream.</summary>
    public int Generation { get; }

    /// <summary>Whether two handles name the same stream.</summary>
    /// <param name="left">A handle.</param>
    /// <param name="right">Another handle.</param>
    public static bool operator ==(StreamHandle left, StreamHandle right) => left.Equals(right);

    /// <summary>Whether two handles name different streams.</summary>
    /// <param name="left">A handle.</param>
    /// <param name="right">Another handle.</param>
    public static bool operator !=(StreamHandle left, StreamHandle right) => !left.Equals(right);

    /// <inheritdoc/>
    public bool Equals(StreamHandle other) => Slot == other.Slot && Generation == other.Generation;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is StreamHandle other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Slot, Generation);

    /// <summary>The handle for messages: "stream 3 (generation 7)".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"stream {Slot} (generation {Generation})");
}

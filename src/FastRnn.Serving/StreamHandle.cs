using System;
using System.Globalization;

namespace FastRnn.Serving;

/// <summary>
/// One open stream of a <see cref="StreamBatcher"/>: its slot and the generation of that slot
/// when the stream was opened. A slot is reused after its stream ends, with the next generation,
/// so a handle kept past the end of its stream is detected instead of stepping a stranger's state.
/// A handle also carries the identity of the batcher that issued it, so another batcher refuses it
/// instead of stepping its own stream in the same slot.
/// </summary>
public readonly struct StreamHandle : IEquatable<StreamHandle>
{
    internal StreamHandle(int batcher, int slot, int generation)
    {
        Batcher = batcher;
        Slot = slot;
        Generation = generation;
    }

    /// <summary>The identity of the batcher that issued the handle (never 0); 0 for the default handle.</summary>
    internal int Batcher { get; }

    /// <summary>The slot (0..MaxStreams-1) holding the stream's state.</summary>
    public int Slot { get; }

    /// <summary>Which use of the slot this stream is (from 1); 0 for the default handle, which names no stream.</summary>
    public int Generation { get; }

    /// <summary>Whether two handles name the same stream (of the same batcher).</summary>
    /// <param name="left">A handle.</param>
    /// <param name="right">Another handle.</param>
    public static bool operator ==(StreamHandle left, StreamHandle right) => left.Equals(right);

    /// <summary>Whether two handles name different streams.</summary>
    /// <param name="left">A handle.</param>
    /// <param name="right">Another handle.</param>
    public static bool operator !=(StreamHandle left, StreamHandle right) => !left.Equals(right);

    /// <inheritdoc/>
    public bool Equals(StreamHandle other) => Batcher == other.Batcher && Slot == other.Slot && Generation == other.Generation;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is StreamHandle other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Batcher, Slot, Generation);

    /// <summary>The handle for messages: "stream 3 (generation 7)".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"stream {Slot} (generation {Generation})");
}

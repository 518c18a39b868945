using System;

namespace FastRnn.Serving;

public sealed partial class StreamBatcher
{
    /// <summary>Bytes of an exported stream state of this network (header and state).</summary>
    public int ExportedStateBytes => StreamStateFormat.Bytes(network.Description);

    /// <summary>
    /// Writes a stream's state in the versioned little-endian format <see cref="ImportState"/> reads:
    /// how a stream moves to another batcher of a network of the same shape (another process, or a
    /// copy with other weight formats). The stream stays open; close it once it has moved.
    /// </summary>
    /// <param name="handle">The stream.</param>
    /// <param name="destination">At least <see cref="ExportedStateBytes"/> bytes.</param>
    /// <returns>Bytes written (<see cref="ExportedStateBytes"/>).</returns>
    /// <exception cref="ArgumentException">The destination is too small, or the handle is the default one or was opened by another batcher.</exception>
    /// <exception cref="StreamClosedException">The stream is no longer open.</exception>
    /// <exception cref="InvalidOperationException">The stream has <see cref="StepAsync"/> calls waiting.</exception>
    /// <exception cref="ObjectDisposedException">The batcher is disposed (checked before the arguments).</exception>
    public int ExportState(StreamHandle handle, Span<byte> destination)
    {
        ThrowIfDisposed();
        int bytes = ExportedStateBytes;
        if (destination.Length < bytes)
        {
            throw new ArgumentException($"Expected at least {bytes} bytes for the stream state, got {destination.Length}.", nameof(destination));
        }

        lock (gate)
        {
            int slot = FindForState(handle, "ExportState");
            StreamStateFormat.Write(network.Description, slots.HiddenOf(slot), slots.CellOf(slot), destination);
        }

        return bytes;
    }

    /// <summary>Writes a stream's state into a new array; see <see cref="ExportState(StreamHandle, Span{byte})"/>.</summary>
    /// <param name="handle">The stream.</param>
    /// <returns>The state's bytes.</returns>
    public byte[] ExportState(StreamHandle handle)
    {
        byte[] bytes = new byte[ExportedStateBytes];
        ExportState(handle, bytes);
        return bytes;
    }

    /// <summary>Opens a stream with a state exported by a batcher of a network of the same shape.</summary>
    /// <param name="state">The bytes <see cref="ExportState(StreamHandle, Span{byte})"/> wrote.</param>
    /// <returns>The new stream's handle.</returns>
    /// <exception cref="FastRnnFormatException">The bytes are not a stream state, of an unsupported version, or of a network of
    /// another kind, variant or size (the message names both).</exception>
    /// <exception cref="InvalidOperationException">All slots hold open streams.</exception>
    /// <exception cref="ObjectDisposedException">The batcher is disposed (checked before the state).</exception>
    public StreamHandle ImportState(ReadOnlySpan<byte> state)
    {
        ThrowIfDisposed();

        // Checked once, before a slot is taken: an invalid state opens nothing. Read does not check
        // again, so bytes that change meanwhile (the caller's race) cannot fail after the slot is open.
        StreamStateFormat.Check(network.Description, state);
        lock (gate)
        {
            int slot = OpenSlot();
            StreamStateFormat.Read(state, slots.HiddenOf(slot), slots.CellOf(slot));
            return new StreamHandle(id, slot, slots.Generation[slot]);
        }
    }
}

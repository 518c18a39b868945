using System;

namespace FastRnn.Serving;

/// <summary>
/// The stream slots: which are open, their generations, when each was last named, and their
/// states. All fields are guarded by the batcher's lock. Free slots are reused oldest-freed first,
/// so a handle that outlived its stream keeps getting its precise reason for as long as possible.
/// </summary>
internal sealed class SlotTable
{
    private readonly int[] freeRing;       // [S] free slots, oldest freed first
    private int freeHead;
    private int freeCount;

    public SlotTable(int slots, int layers, int stateSize, int hiddenSize, bool hasCell)
    {
        long hiddenFloats = (long)slots * layers * stateSize, cellFloats = hasCell ? (long)slots * layers * hiddenSize : 0;
        if (hiddenFloats > Array.MaxLength || cellFloats > Array.MaxLength)
        {
            throw new ArgumentException($"MaxStreams {slots} x {layers} layers x hidden {hiddenSize} floats of state exceed one array ({Array.MaxLength} elements); use fewer streams.");
        }

        Count = slots;
        HiddenPerSlot = layers * stateSize;
        CellPerSlot = hasCell ? layers * hiddenSize : 0;
        Hidden = new float[hiddenFloats];
        Cell = new float[cellFloats];
        Generation = new int[slots];
        Open = new bool[slots];
        LastUsed = new long[slots];
        Expired = new bool[slots];
        freeRing = new int[slots];
        for (int i = 0; i < slots; i++)
        {
            freeRing[i] = i;
        }

        freeCount = slots;
    }

    public int Count { get; }

    public int HiddenPerSlot { get; }        // L * H_out

    public int CellPerSlot { get; }          // L * H (LSTM), else 0

    public float[] Hidden { get; }           // [S, L, H_out]

    public float[] Cell { get; }             // [S, L, H] (LSTM), else empty

    public int[] Generation { get; }         // [S] current (or last) generation of each slot

    public bool[] Open { get; }              // [S]

    public long[] LastUsed { get; }          // [S] clock timestamp of the last call naming the stream

    public bool[] Expired { get; }           // [S] whether the last stream of the slot ended by idle timeout

    public int OpenCount { get; private set; }

    public int FreeCount => freeCount;

    public Span<float> HiddenOf(int slot) => Hidden.AsSpan(slot * HiddenPerSlot, HiddenPerSlot);

    public Span<float> CellOf(int slot) => Cell.AsSpan(slot * CellPerSlot, CellPerSlot);

    /// <summary>Takes the free slot freed longest ago and opens it with zero state; -1 if none is free.</summary>
    public int TryOpen(long now)
    {
        if (freeCount == 0)
        {
            return -1;
        }

        int slot = freeRing[freeHead];
        freeHead = (freeHead + 1) % Count;
        freeCount--;
        Generation[slot] = Generation[slot] == int.MaxValue ? 1 : Generation[slot] + 1;
        Open[slot] = true;
        Expired[slot] = false;
        LastUsed[slot] = now;
        HiddenOf(slot).Clear();
        CellOf(slot).Clear();
        OpenCount++;
        return slot;
    }

    /// <summary>Ends the stream of an open slot and puts the slot at the back of the free ring.</summary>
    public void Free(int slot, bool expired)
    {
        Open[slot] = false;
        Expired[slot] = expired;
        freeRing[(freeHead + freeCount) % Count] = slot;
        freeCount++;
        OpenCount--;
    }
}

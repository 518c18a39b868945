using System;
using System.Threading;
using FastRnn.Cells;
using FastRnn.Memory;
using FastRnn.Networks;

namespace FastRnn.Layers;

/// <summary>
/// Every buffer a whole-sequence call needs, sized once from (network, max batch, max steps) and
/// reused, so calls allocate nothing. Not thread-safe: one caller at a time (a second concurrent
/// call is detected and refused).
/// </summary>
public sealed class SequenceWorkspace
{
    private int busy;

    internal SequenceWorkspace(RecurrentNetwork network, int maxBatch, int maxSteps, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSteps, 1);
        if (threads < 1 || threads > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "Threads must be in 1..64.");
        }

        Network = network;
        MaxBatch = maxBatch;
        MaxSteps = maxSteps;
        NetworkDescription d = network.Description;
        int gateStride = 0, stateStride = 0, paddedUnits = 0, scratchPerRow = 0;
        foreach (CellWeights cell in network.Cells)
        {
            gateStride = Math.Max(gateStride, cell.GateStride);
            stateStride = Math.Max(stateStride, cell.StateStride);
            paddedUnits = Math.Max(paddedUnits, cell.PaddedUnits);
            scratchPerRow = Math.Max(scratchPerRow, cell.ScratchPerRow);
        }

        long rows = (long)maxBatch * maxSteps;
        if (rows * Math.Max(gateStride, Math.Max(d.InputSize, d.OutputSize)) > int.MaxValue)
        {
            throw new ArgumentException($"A workspace for batch {maxBatch} x {maxSteps} steps needs more than {int.MaxValue} floats in one buffer; use shorter sequences or smaller batches.");
        }

        Order = new int[maxBatch];
        SortedLengths = new int[maxBatch];
        ActiveRows = new int[maxSteps];
        Input = new AlignedBuffer((int)rows * d.InputSize);
        LayerOutputs = [new AlignedBuffer((int)rows * d.OutputSize), new AlignedBuffer(d.NumLayers > 1 ? (int)rows * d.OutputSize : 0)];
        Gates = new AlignedBuffer((int)rows * gateStride);
        Hidden = new AlignedBuffer(maxBatch * stateStride);
        Cell = new AlignedBuffer(maxBatch * paddedUnits);
        Scratch = new AlignedBuffer[threads];
        for (int i = 0; i < threads; i++)
        {
            Scratch[i] = new AlignedBuffer(maxBatch * scratchPerRow);
        }

        Parts = new ParallelParts(threads);
        ProjectionPart = part => SequenceForward.ProjectionPart(this, part);
        RecurrencePart = part => SequenceForward.RecurrencePart(this, part);
    }

    /// <summary>The network this workspace was sized for.</summary>
    public RecurrentNetwork Network { get; }

    /// <summary>Largest batch accepted.</summary>
    public int MaxBatch { get; }

    /// <summary>Longest sequence accepted.</summary>
    public int MaxSteps { get; }

    /// <summary>
    /// Threads one call uses: the input products are split by output panels and the recurrence by
    /// sequences, so results are bit-identical to one thread.
    /// </summary>
    public int Threads => Parts.Count;

    internal int[] Order { get; }               // [B] sorted position -> caller's row

    internal int[] SortedLengths { get; }       // [B] lengths in decreasing order

    internal int[] ActiveRows { get; }          // [T] rows still running at step t

    internal AlignedBuffer Input { get; }       // [T, B, I] time-major, rows in sorted order

    internal AlignedBuffer[] LayerOutputs { get; } // 2 x [T, B, D*H_out], alternating between layers

    internal AlignedBuffer Gates { get; }       // [T, B, G*Hp] input projections, then activations

    internal AlignedBuffer Hidden { get; }      // [B, StateStride]

    internal AlignedBuffer Cell { get; }        // [B, Hp]

    internal AlignedBuffer[] Scratch { get; }   // per thread [B, ScratchPerRow]

    internal ParallelParts Parts { get; }

    internal Action<int> ProjectionPart { get; }

    internal Action<int> RecurrencePart { get; }

    // The layer-direction being run, read by the parallel parts.
    internal CellWeights? CurrentCell { get; set; }

    internal bool CurrentReverse { get; set; }

    internal AlignedBuffer? CurrentInput { get; set; }

    internal AlignedBuffer? CurrentOutput { get; set; }

    internal int CurrentColumn { get; set; }

    internal int CurrentSteps { get; set; }

    internal int CurrentBatch { get; set; }

    internal int CurrentParts { get; set; }

    internal void Enter()
    {
        if (Interlocked.Exchange(ref busy, 1) != 0)
        {
            throw new InvalidOperationException("This workspace is already in use by another call; give each thread its own workspace.");
        }
    }

    internal void Exit() => Volatile.Write(ref busy, 0);
}

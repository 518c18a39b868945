using System;
using FastRnn.Cells;
using FastRnn.Memory;

namespace FastRnn.Layers;

/// <summary>
/// Every buffer a whole-sequence call needs, sized once from (network, max batch, max steps) and
/// reused, so calls allocate nothing. Not thread-safe: one caller at a time (a second concurrent
/// call is detected and refused). A workspace with threads owns worker threads: dispose it when
/// done with it (a workspace never disposed lets them go when it is collected).
/// </summary>
public sealed class SequenceWorkspace : IDisposable
{
    private CallGuard guard;

    internal SequenceWorkspace(CellStack network, int maxBatch, int maxSteps, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSteps, 1);
        if (threads < 1 || threads > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "Threads must be in 1..64.");
        }

        Stack = network;
        NetworkDescription d = network.Description;
        int gateStride = 0, scratchPerRow = 0;
        foreach (CellWeights cell in network.Cells)
        {
            gateStride = Math.Max(gateStride, cell.GateStride);
            scratchPerRow = Math.Max(scratchPerRow, cell.ScratchPerRow);
        }

        long rows = (long)maxBatch * maxSteps;
        if (rows * Math.Max(gateStride, Math.Max(d.InputSize, d.OutputSize)) > int.MaxValue)
        {
            throw new ArgumentException($"A workspace for batch {maxBatch} x {maxSteps} steps needs more than {int.MaxValue} floats in one buffer; use shorter sequences or smaller batches.");
        }

        var gates = new AlignedBuffer((int)rows * gateStride); // [T, B, G*Hp] input projections, then activations
        AlignedBuffer[] layerOutputs = [new AlignedBuffer((int)rows * d.OutputSize), new AlignedBuffer(d.NumLayers > 1 ? (int)rows * d.OutputSize : 0)];
        var scratch = new AlignedBuffer[threads]; // per thread [B, ScratchPerRow]
        for (int i = 0; i < threads; i++)
        {
            scratch[i] = new AlignedBuffer(maxBatch * scratchPerRow);
        }

        Runner = new SequenceRunner<NoHistory>(network, maxBatch, maxSteps, threads, new NoHistory(gates, layerOutputs, scratch));
    }

    /// <summary>What the network this workspace was sized for is.</summary>
    public NetworkDescription Description => Stack.Description;

    /// <summary>The cells of the network this workspace was sized for (a workspace serves that network only).</summary>
    internal CellStack Stack { get; }

    /// <summary>Largest batch accepted.</summary>
    public int MaxBatch => Runner.MaxBatch;

    /// <summary>Longest sequence accepted.</summary>
    public int MaxSteps => Runner.MaxSteps;

    /// <summary>
    /// Threads one call uses: the input products are split by output panels and the recurrence by
    /// sequences, so results are bit-identical to one thread.
    /// </summary>
    public int Threads => Runner.Region.Threads;

    /// <summary>Runs the network over this workspace's buffers, between <see cref="Enter"/> and <see cref="Exit"/>.</summary>
    internal SequenceRunner<NoHistory> Runner { get; }

    /// <summary>
    /// Stops the workspace's worker threads (with <see cref="Threads"/> above 1; they exit within about 100 µs) and refuses later
    /// calls with <see cref="ObjectDisposedException"/>. Idempotent. Disposing while a call runs on
    /// another thread refuses new calls at once and waits for that call to return.
    /// </summary>
    public void Dispose()
    {
        if (guard.Dispose())
        {
            Runner.Region.StopThreads();
        }
    }

    /// <summary>Refuses a call once the workspace is disposed, before the call checks its arguments.</summary>
    internal void ThrowIfDisposed() => guard.ThrowIfDisposed(nameof(SequenceWorkspace));

    /// <summary>Marks the workspace busy; a second caller is refused until <see cref="Exit"/>, and every call once disposed (internal so tests can hold it busy).</summary>
    internal void Enter() => guard.Enter(nameof(SequenceWorkspace), "This workspace is already in use by another call; give each thread its own workspace.");

    /// <summary>Marks the workspace free again.</summary>
    internal void Exit() => guard.Exit();
}

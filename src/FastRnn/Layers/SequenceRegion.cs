using System;
using FastRnn.Cells;
using FastRnn.Memory;
using FastRnn.Networks;

namespace FastRnn.Layers;

/// <summary>
/// What the parallel parts of one layer-direction work on, forward or backward: the calling thread
/// sets it, then runs the parts, which only read it. One instance per workspace, reused, so setting
/// it allocates nothing.
/// </summary>
internal sealed class SequenceRegion
{
    private readonly ParallelParts threads;

    public SequenceRegion(int threads)
    {
        this.threads = new ParallelParts(threads);
    }

    /// <summary>Threads a region may use.</summary>
    public int Threads => threads.Count;

    /// <summary>Whether any call has run parts on other threads yet.</summary>
    public bool HasStartedWorkers => threads.HasStartedWorkers;

    /// <summary>The threads under this region (tests).</summary>
    public ParallelParts Workers => threads;

    /// <summary>Ends the worker threads (the owner's Dispose).</summary>
    public void StopThreads() => threads.Stop();

    /// <summary>Parts the running body is split into (at most <see cref="Threads"/>).</summary>
    public int Parts { get; private set; }

    public NetworkDescription Description { get; private set; } = null!;

    public CellWeights Cell { get; private set; } = null!;

    /// <summary>Layer * D + direction.</summary>
    public int Slot { get; private set; }

    /// <summary>Whether this direction runs backward in time (the reverse half, or a reverse-only network).</summary>
    public bool Reverse { get; private set; }

    /// <summary>First column of this direction in the layer output [.., D*H_out].</summary>
    public int Column { get; private set; }

    public int Steps { get; private set; }

    public int Batch { get; private set; }

    // The layer's input and (forward) output: the workspace's buffers, or the caller's own under `fixed`
    // for the call (see SequenceRunner.Forward).
    public PinnedFloats Input { get; private set; }              // [T, B, In]

    public AlignedBuffer Gates { get; private set; } = null!;    // [T, B, G*Hp] input products, then activated gates

    public PinnedFloats Output { get; private set; }             // [T, B, D*H_out], empty in backward

    // Backward only: the transposes, and the gradients of the layer's output (read) and input (accumulated).
    public BackwardWeights? Backward { get; private set; }

    public AlignedBuffer? OutputGradient { get; private set; }   // [T, B, OutputGradientStride]

    public int OutputGradientStride { get; private set; }

    public AlignedBuffer? InputGradient { get; private set; }    // [T, B, InputGradientStride], null when nobody reads it

    public int InputGradientStride { get; private set; }

    /// <summary>Points the region at one layer-direction (backward fields cleared).</summary>
    public void Set(NetworkDescription d, CellWeights cell, int slot, int direction, PinnedFloats input, AlignedBuffer gates, PinnedFloats output, int steps, int batch)
    {
        Description = d;
        Cell = cell;
        Slot = slot;
        Reverse = direction == 1 || d.Reverse;
        Column = direction * d.StateSize;
        Input = input;
        Gates = gates;
        Output = output;
        Steps = steps;
        Batch = batch;
        Backward = null;
        OutputGradient = InputGradient = null;
        OutputGradientStride = InputGradientStride = 0;
    }

    /// <summary>Forgets the layer's input and output, which may point into a caller's memory pinned only for its call.</summary>
    public void Release() => Input = Output = default;

    /// <summary>
    /// Adds what a backward pass through the layer-direction set by <see cref="Set"/> reads and writes;
    /// <paramref name="inputGradient"/> null skips the product with W_ih (the first layer's input
    /// gradient, when the caller does not ask for it).
    /// </summary>
    public void SetBackward(BackwardWeights backward, AlignedBuffer outputGradient, int outputGradientStride, AlignedBuffer? inputGradient, int inputGradientStride)
    {
        Backward = backward;
        OutputGradient = outputGradient;
        OutputGradientStride = outputGradientStride;
        InputGradient = inputGradient;
        InputGradientStride = inputGradientStride;
    }

    /// <summary>
    /// Runs <paramref name="part"/> as min(Threads, <paramref name="work"/>) parts at once and waits
    /// for all; each part takes its <see cref="Share"/> of the work.
    /// </summary>
    /// <param name="part">The body, made once by the owner (no allocation per run).</param>
    /// <param name="work">Items to split (rows, panels), bounding the useful number of parts.</param>
    public void Run(Action<int> part, int work)
    {
        Parts = Math.Max(1, Math.Min(threads.Count, work));
        threads.Run(part, Parts);
    }

    /// <summary>Part <paramref name="part"/>'s share of the output rows of each step, for a body that shares every step among its parts.</summary>
    public StepShare StepShare(int part) => new(part, Parts, threads);

    /// <summary>Part <paramref name="part"/>'s contiguous share of [0, <paramref name="total"/>) in the running body.</summary>
    public (int First, int End) Share(int total, int part) => ParallelParts.Share(total, Parts, part);
}

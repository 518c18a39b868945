using System;

namespace FastRnn.Cells;

/// <summary>
/// The state a cell step reads and the state it writes: the same memory (in place) or two buffers.
/// </summary>
/// <remarks>
/// A step shared among threads reads all of h in its products and writes only its own units in its
/// epilogue. In place, every share must finish its products before any epilogue overwrites h: a
/// barrier inside the step. Apart, no epilogue touches what the products read, so the step has no
/// barrier before its epilogue; the caller swaps the buffers (or copies back) after the step.
/// </remarks>
internal readonly ref struct StepState
{
    /// <summary>A step that updates <paramref name="h"/> and <paramref name="c"/> in place.</summary>
    /// <param name="h">[batch, StateStride] hidden state, read then overwritten.</param>
    /// <param name="c">[batch, Hp] cell state (LSTM), read then overwritten; empty otherwise.</param>
    public StepState(Span<float> h, Span<float> c)
    {
        H = h;
        C = c;
        HNew = h;
        CNew = c;
    }

    /// <summary>A step that reads one state and writes another.</summary>
    /// <param name="h">[batch, StateStride] hidden state before the step.</param>
    /// <param name="c">[batch, Hp] cell state before the step (LSTM), else empty.</param>
    /// <param name="hNew">[batch, StateStride] hidden state after the step, apart from <paramref name="h"/>.</param>
    /// <param name="cNew">[batch, Hp] cell state after the step (LSTM), else empty; the same memory as
    /// <paramref name="c"/> is allowed (each share reads and writes only its own units of c) when no
    /// one else reads c during the step.</param>
    public StepState(ReadOnlySpan<float> h, ReadOnlySpan<float> c, Span<float> hNew, Span<float> cNew)
    {
        if (h.Overlaps(hNew))
        {
            throw new ArgumentException("A step apart must write its hidden state to a buffer apart from the one it reads.", nameof(hNew));
        }

        H = h;
        C = c;
        HNew = hNew;
        CNew = cNew;
    }

    /// <summary>[batch, StateStride] h before the step.</summary>
    public ReadOnlySpan<float> H { get; }

    /// <summary>[batch, Hp] c before the step (LSTM), else empty.</summary>
    public ReadOnlySpan<float> C { get; }

    /// <summary>[batch, StateStride] h after the step.</summary>
    public Span<float> HNew { get; }

    /// <summary>[batch, Hp] c after the step (LSTM), else empty.</summary>
    public Span<float> CNew { get; }

    /// <summary>Whether the step overwrites the h it reads (and so needs a barrier before its epilogue when shared).</summary>
    public bool InPlace => H.Overlaps(HNew);
}

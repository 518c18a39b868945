using System;
using FastRnn.Cells;
using FastRnn.Layers;
using FastRnn.Memory;
using FastRnn.Networks;

namespace FastRnn.Training;

/// <summary>
/// Training's forward keeps what backward reads, in <paramref name="ws"/>'s per-slot history:
/// every step's h and c on the way in, c on the way out, the activated gates and the intermediate
/// products, every layer's output, and the dropout masks between layers.
/// </summary>
/// <param name="ws">The workspace holding the history.</param>
internal readonly struct TrainingHistory(TrainingWorkspace ws) : IForwardHistory
{
    // Backward reads the first layer's input from the runner's buffer, after the caller's call has returned.
    public bool MayUseCallerRows => false;

    public AlignedBuffer Gates(int slot) => ws.Gates[slot];

    public AlignedBuffer LayerOutput(int layer) => ws.LayerOutputs[layer];

    public void BeforeStep(CellWeights w, int slot, int at, ReadOnlySpan<float> h, ReadOnlySpan<float> c)
    {
        h.CopyTo(ws.HiddenBefore[slot].Span[(at * w.StateStride)..]);
        if (w.Kind == CellKind.Lstm)
        {
            c.CopyTo(ws.CellBefore[slot].Span[(at * w.PaddedUnits)..]);
        }
    }

    public StepBuffers Buffers(CellWeights w, int slot, int part, int at, int active)
    {
        int hp = w.PaddedUnits, hiddenGateStride = w.HiddenGateStride;
        return new StepBuffers
        {
            Unprojected = w.Projection is null ? default : ws.Unprojected[slot].Span.Slice(at * hp, active * hp),
            HiddenGates = hiddenGateStride == 0 ? default : ws.HiddenGates[slot].Span.Slice(at * hiddenGateStride, active * hiddenGateStride),
            ResetHidden = !w.ResetBefore ? default : ws.ResetHidden[slot].Span.Slice(at * hp, active * hp),
            Candidate = !w.ResetBefore ? default : ws.Candidate[part].Span[..(active * w.Candidate!.PaddedRows)],
        };
    }

    public void AfterStep(CellWeights w, int slot, int at, ReadOnlySpan<float> c)
    {
        if (w.Kind == CellKind.Lstm)
        {
            c.CopyTo(ws.CellAfter[slot].Span[(at * w.PaddedUnits)..]);
        }
    }

    public void AfterLayer(int layer, Span<float> output)
    {
        // PyTorch's `dropout` argument: on every layer's output but the last (no masks otherwise).
        if (layer < ws.DropoutMasks.Length)
        {
            Span<float> mask = ws.DropoutMasks[layer].Span[..output.Length];
            ws.Dropout!.NextMask(mask);
            Dropout.Apply(output, mask);
        }
    }
}

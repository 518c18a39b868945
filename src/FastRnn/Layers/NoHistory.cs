using System;
using FastRnn.Cells;
using FastRnn.Memory;

namespace FastRnn.Layers;

/// <summary>Inference keeps nothing: one gate buffer for every layer-direction, two alternating layer outputs, per-thread step scratch.</summary>
internal readonly struct NoHistory(AlignedBuffer gates, AlignedBuffer[] layerOutputs, AlignedBuffer[] scratch) : IForwardHistory
{
    private readonly AlignedBuffer gates = gates;               // [T, B, G*Hp]
    private readonly AlignedBuffer[] layerOutputs = layerOutputs; // 2 x [T, B, D*H_out], alternating between layers
    private readonly AlignedBuffer[] scratch = scratch;         // per thread [B, ScratchPerRow]

    public bool MayUseCallerRows => true;

    public AlignedBuffer Gates(int slot) => gates;

    public AlignedBuffer LayerOutput(int layer) => layerOutputs[layer & 1];

    public void BeforeStep(CellWeights w, int slot, int at, ReadOnlySpan<float> h, ReadOnlySpan<float> c)
    {
    }

    public StepBuffers Buffers(CellWeights w, int slot, int part, int at, int active) => StepBuffers.FromScratch(w, scratch[part].Span, active);

    public void AfterStep(CellWeights w, int slot, int at, ReadOnlySpan<float> c)
    {
    }

    public void AfterLayer(int layer, Span<float> output)
    {
    }
}

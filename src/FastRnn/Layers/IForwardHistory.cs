using System;
using FastRnn.Cells;
using FastRnn.Memory;

namespace FastRnn.Layers;

/// <summary>
/// What a <see cref="SequenceRunner{THistory}"/> keeps besides its output: where a step's buffers
/// live and what is saved around each step and layer. Inference (<see cref="NoHistory"/>) points
/// everything at scratch and saves nothing; training keeps exactly what backward reads.
/// </summary>
/// <remarks>
/// Implemented by structs, so the runner is compiled once per implementation and the empty hooks
/// of inference cost nothing. Called from the parallel parts: an implementation writes only the
/// rows of the step it is given.
/// </remarks>
internal interface IForwardHistory
{
    /// <summary>
    /// Whether the runner may read the caller's input and write the caller's output in place of its own
    /// buffers (rows in the caller's order): only when nothing kept for later points into them.
    /// </summary>
    bool MayUseCallerRows { get; }

    /// <summary>[T, B, G*Hp] where a layer-direction's input products and activated gates go.</summary>
    AlignedBuffer Gates(int slot);

    /// <summary>[T, B, D*H_out] where a layer's output goes (and the next layer reads it).</summary>
    AlignedBuffer LayerOutput(int layer);

    /// <summary>Called before a step of rows [at, at + h.Length / StateStride) of the [T*B] rows, with their h and c.</summary>
    /// <param name="w">The layer-direction.</param>
    /// <param name="slot">Layer * D + direction.</param>
    /// <param name="at">First of the rows, as t * B + first sorted row.</param>
    /// <param name="h">[rows, StateStride] h entering the step.</param>
    /// <param name="c">[rows, Hp] c entering the step (used by LSTM only).</param>
    void BeforeStep(CellWeights w, int slot, int at, ReadOnlySpan<float> h, ReadOnlySpan<float> c);

    /// <summary>Where the intermediate products of a step of the first <paramref name="active"/> of those rows go.</summary>
    /// <param name="w">The layer-direction.</param>
    /// <param name="slot">Layer * D + direction.</param>
    /// <param name="part">The parallel part running the step (owner of its scratch).</param>
    /// <param name="at">First of the rows, as in <see cref="BeforeStep"/>.</param>
    /// <param name="active">Rows still running.</param>
    /// <returns>The buffers, each [active, ..] as <see cref="StepBuffers"/> describes.</returns>
    StepBuffers Buffers(CellWeights w, int slot, int part, int at, int active);

    /// <summary>Called after the step of the rows of <see cref="BeforeStep"/>, with their c.</summary>
    /// <param name="w">The layer-direction.</param>
    /// <param name="slot">Layer * D + direction.</param>
    /// <param name="at">First of the rows.</param>
    /// <param name="c">[rows, Hp] c leaving the step (used by LSTM only).</param>
    void AfterStep(CellWeights w, int slot, int at, ReadOnlySpan<float> c);

    /// <summary>Called when every direction of a layer is done, before the next layer reads its output.</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="output">[T, B, D*H_out] the layer's output.</param>
    void AfterLayer(int layer, Span<float> output);
}

using System;
using System.Diagnostics.CodeAnalysis;
using FastRnn.Kernels;
using FastRnn.Memory;
using FastRnn.Networks;

namespace FastRnn.Cells;

/// <summary>
/// The weights of one layer and direction, packed once for the active vector path, plus the
/// sizes every buffer of a step is laid out with. <see cref="Repack"/> refreshes them in place
/// after an optimizer has changed the canonical tensors.
/// </summary>
internal sealed class CellWeights
{
    private readonly AlignedBuffer? bias;        // LSTM/RNN: [G*Hp] b_ih + b_hh, packed order
    private readonly AlignedBuffer? inputBias;   // GRU: [3*Hp] b_ih, packed order
    private readonly AlignedBuffer? hiddenBias;  // GRU: [3*Hp] b_hh, packed order
    private readonly AlignedBuffer? peephole;    // [3*Hp] w_ci, w_cf, w_co, natural order
    private readonly long recurrentWeightBytes;  // W_hh, W_hr and W_hn as stored
    private readonly string[] names;             // weight_ih, weight_hh, bias_ih, bias_hh, weight_hr, weight_ci, weight_cf, weight_co

    /// <summary>Packs the canonical (PyTorch layout) tensors of one layer and direction.</summary>
    /// <param name="description">The network.</param>
    /// <param name="layer">Layer index.</param>
    /// <param name="direction">0 forward, 1 reverse.</param>
    /// <param name="weights">Canonical tensors by state_dict name; shapes already validated.</param>
    /// <param name="format">How the weight matrices are stored.</param>
    public CellWeights(NetworkDescription description, int layer, int direction, Func<string, float[]> weights, WeightFormat format)
    {
        Kind = description.Kind;
        Variant = description.Variant;
        Epilogue = new EpilogueOptions(description.Clip ?? float.PositiveInfinity, description.CoupledInputForget, description.ActivationsOf(direction));
        int gates = description.GateCount;
        int h = description.HiddenSize;
        HiddenSize = h;
        StateSize = description.StateSize;
        InputSize = description.LayerInputSize(layer);
        names = new string[8];
        string[] kinds = ["weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr", "weight_ci", "weight_cf", "weight_co"];
        for (int i = 0; i < kinds.Length; i++)
        {
            names[i] = NetworkDescription.ParameterName(kinds[i], layer, direction);
        }

        float[] wih = weights(names[0]);
        float[] whh = weights(names[1]);
        Input = PackedMatrix.Pack(wih, gates, h, InputSize, format);
        if (Variant == CellVariant.ResetBefore)
        {
            Recurrent = PackedMatrix.Pack(whh.AsSpan(0, 2 * h * StateSize), 2, h, StateSize, format);
            Candidate = PackedMatrix.Pack(whh.AsSpan(2 * h * StateSize), 1, h, StateSize, format);
        }
        else
        {
            Recurrent = PackedMatrix.Pack(whh, gates, h, StateSize, format);
        }

        PaddedUnits = Input.PaddedUnits;
        GateStride = Input.PaddedRows;
        if (description.ProjectionSize > 0)
        {
            Projection = PackedMatrix.Pack(weights(names[4]), 1, description.ProjectionSize, h, format);
        }

        StateStride = Projection?.PaddedRows ?? PaddedUnits;
        if (description.Bias)
        {
            if (Kind == CellKind.Gru)
            {
                inputBias = new AlignedBuffer(GateStride);
                hiddenBias = new AlignedBuffer(GateStride);
            }
            else
            {
                bias = new AlignedBuffer(GateStride);
            }
        }

        if (Variant == CellVariant.Peephole)
        {
            peephole = new AlignedBuffer(3 * PaddedUnits);
        }

        LoadVectors(weights);
        RecurrentMultiplyAdds = Size(Recurrent) + Size(Projection) + Size(Candidate);
        InputMultiplyAdds = Size(Input);
        recurrentWeightBytes = Bytes(Recurrent) + Bytes(Projection) + Bytes(Candidate);
        PairsRowProducts = !(Kind == CellKind.Gru && ResetBefore) && RowPairProduct.Supports(Input, Recurrent);

        static long Size(PackedMatrix? m) => m is null ? 0 : (long)m.PaddedRows * m.Columns;
        static long Bytes(PackedMatrix? m) => m?.WeightBytes ?? 0;
    }

    public CellKind Kind { get; }

    /// <summary>Multiply-adds of a step's recurrent products per batch row (W_hh, and the projection or the reset-before candidate).</summary>
    public long RecurrentMultiplyAdds { get; }

    /// <summary>Multiply-adds of a step's input product per batch row.</summary>
    public long InputMultiplyAdds { get; }

    /// <summary>Weight bytes one step streams: its recurrent products' and, <paramref name="withInput"/>, W_ih's.</summary>
    public long StepWeightBytes(bool withInput) => recurrentWeightBytes + (withInput ? Input.WeightBytes : 0);

    /// <summary>
    /// Whether one row's input and recurrent products run in one pass (<see cref="RowPairProduct"/>):
    /// with float weights, an LSTM's and an RNN's into the same gates, a GRU's into two buffers (its
    /// candidate multiplies the recurrent part by the reset gate). Not the reset-before GRU, whose
    /// recurrent product has only the r and z rows and whose candidate product waits for r.
    /// </summary>
    public bool PairsRowProducts { get; }

    public CellVariant Variant { get; }

    /// <summary>
    /// What this direction's epilogues compute: the ONNX clip and coupled gates, and the activation
    /// functions (tanh or relu for a vanilla RNN).
    /// </summary>
    public EpilogueOptions Epilogue { get; }

    /// <summary>H.</summary>
    public int HiddenSize { get; }

    /// <summary>H_out: the size of h (P with projection).</summary>
    public int StateSize { get; }

    /// <summary>Features of this layer's input.</summary>
    public int InputSize { get; }

    /// <summary>Hp: H padded to whole vectors.</summary>
    public int PaddedUnits { get; }

    /// <summary>Floats per row of the gate buffer: G * Hp.</summary>
    public int GateStride { get; }

    /// <summary>Floats per row of the hidden state buffer (Hp, or P padded with projection).</summary>
    public int StateStride { get; }

    /// <summary>W_ih [G*H, In].</summary>
    public PackedMatrix Input { get; }

    /// <summary>W_hh [G*H, H_out]; for the reset-before GRU only its r and z rows.</summary>
    public PackedMatrix Recurrent { get; }

    /// <summary>Reset-before GRU: W_hn [H, H].</summary>
    public PackedMatrix? Candidate { get; }

    /// <summary>LSTM projection W_hr [P, H].</summary>
    public PackedMatrix? Projection { get; }

    public ReadOnlySpan<float> Bias => bias is null ? default : bias.Span;

    public ReadOnlySpan<float> InputBias => inputBias is null ? default : inputBias.Span;

    public ReadOnlySpan<float> HiddenBias => hiddenBias is null ? default : hiddenBias.Span;

    public ReadOnlySpan<float> Peephole => peephole is null ? default : peephole.Span;

    /// <summary>
    /// Reset-before GRU: r multiplies h before its own matrix W_hn (<see cref="Candidate"/>), so
    /// the step has two recurrent products and keeps r ⊙ h.
    /// </summary>
    [MemberNotNullWhen(true, nameof(Candidate))]
    public bool ResetBefore => Candidate is not null;

    /// <summary>
    /// PyTorch's GRU (reset after): W_hh h + b_hh is kept apart from W_ih x + b_ih, so b_hh has a
    /// gradient of its own (every other cell adds b_hh where b_ih goes).
    /// </summary>
    public bool StandardGru => Kind == CellKind.Gru && !ResetBefore;

    /// <summary>
    /// GRU: floats per row of the recurrent products kept apart from the gates, W_hh h ([3*Hp]) or,
    /// reset-before, W_h{r,z} h ([2*Hp]); 0 for the cells that add W_hh h into the gate buffer.
    /// </summary>
    public int HiddenGateStride => StandardGru ? GateStride : ResetBefore ? 2 * PaddedUnits : 0;

    /// <summary>Bytes of the stored weight matrices: what a step streams.</summary>
    public long WeightBytes => Input.WeightBytes + Recurrent.WeightBytes + (Candidate?.WeightBytes ?? 0) + (Projection?.WeightBytes ?? 0);

    /// <summary>Floats of per-step scratch one batch row needs (see <see cref="StepBuffers"/>).</summary>
    public int ScratchPerRow => Kind switch
    {
        CellKind.Lstm => Projection is null ? 0 : PaddedUnits,
        CellKind.Gru when ResetBefore => HiddenGateStride + PaddedUnits + Candidate!.PaddedRows,
        CellKind.Gru => HiddenGateStride,
        _ => 0,
    };

    /// <summary>Re-reads every canonical tensor into the packed layout, allocating nothing.</summary>
    /// <param name="weights">Canonical tensors by state_dict name.</param>
    public void Repack(Func<string, float[]> weights)
    {
        float[] whh = weights(names[1]);
        Input.Repack(weights(names[0]));
        if (Candidate is not null)
        {
            Recurrent.Repack(whh.AsSpan(0, 2 * HiddenSize * StateSize));
            Candidate.Repack(whh.AsSpan(2 * HiddenSize * StateSize));
        }
        else
        {
            Recurrent.Repack(whh);
        }

        Projection?.Repack(weights(names[4]));
        LoadVectors(weights);
    }

    private void LoadVectors(Func<string, float[]> weights)
    {
        if (inputBias is not null)
        {
            Input.ToPackedOrder(weights(names[2]), inputBias.Span);
            Input.ToPackedOrder(weights(names[3]), hiddenBias!.Span);
        }
        else if (bias is not null)
        {
            float[] bih = weights(names[2]);
            float[] bhh = weights(names[3]);
            Span<float> packed = bias.Span;
            packed.Clear();
            for (int i = 0; i < bih.Length; i++)
            {
                packed[Input.PackedRowOf(i)] = bih[i] + bhh[i];
            }
        }

        if (peephole is not null)
        {
            Span<float> p = peephole.Span;
            p.Clear();
            weights(names[5]).CopyTo(p);
            weights(names[6]).CopyTo(p[PaddedUnits..]);
            weights(names[7]).CopyTo(p[(2 * PaddedUnits)..]);
        }
    }
}

using System;
using FastRnn.Kernels;
using FastRnn.Memory;
using FastRnn.Networks;

namespace FastRnn.Cells;

/// <summary>
/// The weights of one layer and direction, packed once for the active vector path, plus the
/// sizes every buffer of a step is laid out with.
/// </summary>
internal sealed class CellWeights
{
    private readonly AlignedBuffer? bias;        // LSTM/RNN: [G*Hp] b_ih + b_hh, packed order
    private readonly AlignedBuffer? inputBias;   // GRU: [3*Hp] b_ih, packed order
    private readonly AlignedBuffer? hiddenBias;  // GRU: [3*Hp] b_hh, packed order
    private readonly AlignedBuffer? peephole;    // [3*Hp] w_ci, w_cf, w_co, natural order

    /// <summary>Packs the canonical (PyTorch layout) tensors of one layer and direction.</summary>
    /// <param name="description">The network.</param>
    /// <param name="layer">Layer index.</param>
    /// <param name="direction">0 forward, 1 reverse.</param>
    /// <param name="weights">Canonical tensors by state_dict name; shapes already validated.</param>
    public CellWeights(NetworkDescription description, int layer, int direction, Func<string, float[]> weights)
    {
        Kind = description.Kind;
        Variant = description.Variant;
        int gates = description.GateCount;
        int h = description.HiddenSize;
        HiddenSize = h;
        StateSize = description.StateSize;
        InputSize = description.LayerInputSize(layer);
        string Name(string kind) => NetworkDescription.ParameterName(kind, layer, direction);

        float[] wih = weights(Name("weight_ih"));
        float[] whh = weights(Name("weight_hh"));
        Input = PackedMatrix.Pack(wih, gates, h, InputSize);
        if (Variant == CellVariant.ResetBefore)
        {
            Recurrent = PackedMatrix.Pack(whh.AsSpan(0, 2 * h * StateSize), 2, h, StateSize);
            Candidate = PackedMatrix.Pack(whh.AsSpan(2 * h * StateSize), 1, h, StateSize);
        }
        else
        {
            Recurrent = PackedMatrix.Pack(whh, gates, h, StateSize);
        }

        PaddedUnits = Input.PaddedUnits;
        GateStride = Input.PaddedRows;
        if (description.ProjectionSize > 0)
        {
            Projection = PackedMatrix.Pack(weights(Name("weight_hr")), 1, description.ProjectionSize, h);
        }

        StateStride = Projection?.PaddedRows ?? PaddedUnits;

        if (description.Bias)
        {
            float[] bih = weights(Name("bias_ih"));
            float[] bhh = weights(Name("bias_hh"));
            if (Kind == CellKind.Gru)
            {
                inputBias = ToPacked(bih);
                hiddenBias = ToPacked(bhh);
            }
            else
            {
                float[] sum = new float[bih.Length];
                for (int i = 0; i < sum.Length; i++)
                {
                    sum[i] = bih[i] + bhh[i];
                }

                bias = ToPacked(sum);
            }
        }

        if (Variant == CellVariant.Peephole)
        {
            peephole = new AlignedBuffer(3 * PaddedUnits);
            weights(Name("weight_ci")).CopyTo(peephole.Span);
            weights(Name("weight_cf")).CopyTo(peephole.Span[PaddedUnits..]);
            weights(Name("weight_co")).CopyTo(peephole.Span[(2 * PaddedUnits)..]);
        }
    }

    public CellKind Kind { get; }

    public CellVariant Variant { get; }

    /// <summary>H.</summary>
    public int HiddenSize { get; }

    /// <summary>H_out: the size of h (P with projection).</summary>
    public int StateSize { get; }

    /// <summary>Features of this layer's input.</summary>
    public int InputSize { get; }

    /// <summary>Hp: H padded to whole vectors (or whole panels for RNN).</summary>
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

    /// <summary>Floats of per-step scratch one batch row needs (see <see cref="CellStep"/>).</summary>
    public int ScratchPerRow => Kind switch
    {
        CellKind.Lstm => Projection is null ? 0 : PaddedUnits,
        CellKind.Gru when Variant == CellVariant.ResetBefore => (2 * PaddedUnits) + PaddedUnits + Candidate!.PaddedRows,
        CellKind.Gru => GateStride,
        _ => 0,
    };

    private AlignedBuffer ToPacked(float[] logical)
    {
        var packed = new AlignedBuffer(Input.PaddedRows);
        Input.ToPackedOrder(logical, packed.Span);
        return packed;
    }
}

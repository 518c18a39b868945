using System;
using System.Collections.Generic;

namespace FastRnn.Tests.Reference;

/// <summary>Shape and kind of a (multi-layer, possibly bidirectional) recurrent network, PyTorch semantics.</summary>
public sealed record ReferenceConfig
{
    public ReferenceMode Mode { get; init; }
    public ReferenceVariant Variant { get; init; } = ReferenceVariant.Standard;
    public int InputSize { get; init; }
    public int HiddenSize { get; init; }

    /// <summary>LSTM projection size; 0 means no projection.</summary>
    public int ProjSize { get; init; }

    public int NumLayers { get; init; } = 1;
    public bool Bidirectional { get; init; }
    public bool Bias { get; init; } = true;
    public bool BatchFirst { get; init; }

    /// <summary>Rows blocks per weight matrix: 4 (LSTM i,f,g,o), 3 (GRU r,z,n), 1 (RNN).</summary>
    public int GateCount => Mode switch
    {
        ReferenceMode.Lstm => 4,
        ReferenceMode.Gru => 3,
        _ => 1,
    };

    /// <summary>Size of h (and of the output per direction): ProjSize if projecting, else HiddenSize.</summary>
    public int OutputHidden => ProjSize > 0 ? ProjSize : HiddenSize;

    public int Directions => Bidirectional ? 2 : 1;

    public bool IsLstm => Mode == ReferenceMode.Lstm;

    /// <summary>Input width of layer k: InputSize for k = 0, else Directions * OutputHidden.</summary>
    public int LayerInputSize(int layer) => layer == 0 ? InputSize : Directions * OutputHidden;

    /// <summary>PyTorch state_dict name, e.g. WeightName("weight_ih", 1, 1) = "weight_ih_l1_reverse".</summary>
    public static string WeightName(string kind, int layer, int direction) =>
        $"{kind}_l{layer}{(direction == 1 ? "_reverse" : "")}";

    /// <summary>Throws if the combination of settings is not a valid network.</summary>
    public void Validate()
    {
        if (InputSize < 1 || HiddenSize < 1 || NumLayers < 1 || ProjSize < 0)
        {
            throw new ArgumentException($"Invalid sizes in {this}");
        }

        if (ProjSize > 0 && Mode != ReferenceMode.Lstm)
        {
            throw new ArgumentException("Projection is LSTM only");
        }

        if (Variant == ReferenceVariant.Peephole && Mode != ReferenceMode.Lstm)
        {
            throw new ArgumentException("Peephole is LSTM only");
        }

        if (Variant == ReferenceVariant.ResetBefore && Mode != ReferenceMode.Gru)
        {
            throw new ArgumentException("ResetBefore is GRU only");
        }
    }

    /// <summary>Every weight tensor (name, shape), in state_dict order: per layer, per direction,
    /// weight_ih, weight_hh, bias_ih, bias_hh, weight_hr, weight_ci, weight_cf, weight_co.</summary>
    public IEnumerable<(string name, int[] shape)> WeightShapes()
    {
        int gh = GateCount * HiddenSize;
        for (int layer = 0; layer < NumLayers; layer++)
        {
            for (int dir = 0; dir < Directions; dir++)
            {
                yield return (WeightName("weight_ih", layer, dir), new[] { gh, LayerInputSize(layer) });
                yield return (WeightName("weight_hh", layer, dir), new[] { gh, OutputHidden });
                if (Bias)
                {
                    yield return (WeightName("bias_ih", layer, dir), new[] { gh });
                    yield return (WeightName("bias_hh", layer, dir), new[] { gh });
                }

                if (ProjSize > 0)
                {
                    yield return (WeightName("weight_hr", layer, dir), new[] { ProjSize, HiddenSize });
                }

                if (Variant == ReferenceVariant.Peephole)
                {
                    yield return (WeightName("weight_ci", layer, dir), new[] { HiddenSize });
                    yield return (WeightName("weight_cf", layer, dir), new[] { HiddenSize });
                    yield return (WeightName("weight_co", layer, dir), new[] { HiddenSize });
                }
            }
        }
    }
}

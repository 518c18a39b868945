using System;
using System.Collections.Generic;

namespace FastRnn.Tests.Reference;

/// <summary>The tensors of one (layer, direction) cell, looked up by name in a weight (or gradient) dictionary.
/// The arrays are the dictionary's own, so a view over a gradient dictionary accumulates into it.</summary>
internal sealed class ReferenceCellWeights
{
    public required int InputSize { get; init; }
    public required double[] Wih { get; init; }
    public required double[] Whh { get; init; }
    public double[]? Bih { get; init; }
    public double[]? Bhh { get; init; }
    public double[]? Whr { get; init; }
    public double[]? Wci { get; init; }
    public double[]? Wcf { get; init; }
    public double[]? Wco { get; init; }

    public static ReferenceCellWeights From(
        ReferenceConfig cfg, IReadOnlyDictionary<string, double[]> tensors, int layer, int direction)
    {
        bool peephole = cfg.Variant == ReferenceVariant.Peephole;
        return new ReferenceCellWeights
        {
            InputSize = cfg.LayerInputSize(layer),
            Wih = Get(cfg, tensors, "weight_ih", layer, direction),
            Whh = Get(cfg, tensors, "weight_hh", layer, direction),
            Bih = cfg.Bias ? Get(cfg, tensors, "bias_ih", layer, direction) : null,
            Bhh = cfg.Bias ? Get(cfg, tensors, "bias_hh", layer, direction) : null,
            Whr = cfg.ProjSize > 0 ? Get(cfg, tensors, "weight_hr", layer, direction) : null,
            Wci = peephole ? Get(cfg, tensors, "weight_ci", layer, direction) : null,
            Wcf = peephole ? Get(cfg, tensors, "weight_cf", layer, direction) : null,
            Wco = peephole ? Get(cfg, tensors, "weight_co", layer, direction) : null,
        };
    }

    private static double[] Get(
        ReferenceConfig cfg, IReadOnlyDictionary<string, double[]> tensors, string kind, int layer, int direction)
    {
        string name = ReferenceConfig.WeightName(kind, layer, direction);
        if (!tensors.TryGetValue(name, out double[]? value))
        {
            throw new ArgumentException($"Missing weight {name}");
        }

        foreach ((string n, int[] shape) in cfg.WeightShapes())
        {
            if (n == name)
            {
                int count = 1;
                foreach (int s in shape)
                {
                    count *= s;
                }

                if (value.Length != count)
                {
                    throw new ArgumentException($"Weight {name} has {value.Length} elements, expected {count}");
                }
            }
        }

        return value;
    }
}

using System;
using FastRnn.Tests.Kernels;
using FastRnn.Tests.Reference;

namespace FastRnn.Tests.Networks;

/// <summary>A random network configuration and problem, derived from a seed.</summary>
internal sealed record RandomProblem(ReferenceConfig Config, int Steps, int Batch, bool WithInitialState, bool WithLengths, int Seed)
{
    private static readonly (ReferenceMode Mode, ReferenceVariant Variant, bool Projection)[] Cells =
    [
        (ReferenceMode.RnnTanh, ReferenceVariant.Standard, false),
        (ReferenceMode.RnnRelu, ReferenceVariant.Standard, false),
        (ReferenceMode.Lstm, ReferenceVariant.Standard, false),
        (ReferenceMode.Lstm, ReferenceVariant.Peephole, false),
        (ReferenceMode.Lstm, ReferenceVariant.Standard, true),
        (ReferenceMode.Gru, ReferenceVariant.Standard, false),
        (ReferenceMode.Gru, ReferenceVariant.ResetBefore, false),
    ];

    public static RandomProblem From(int seed, bool allowBidirectional = true)
    {
        var random = new Random(seed);
        var cell = Cells[random.Next(Cells.Length)];
        int hidden = Math.Min(TestSizes.Pick(random.Next(), minimum: 1), 65);
        int input = Math.Min(TestSizes.Pick(random.Next(), minimum: 1), 65);
        int projection = cell.Projection && hidden > 1 ? 1 + random.Next(hidden - 1) : 0;
        var config = new ReferenceConfig
        {
            Mode = cell.Mode,
            Variant = cell.Variant,
            InputSize = input,
            HiddenSize = hidden,
            ProjSize = projection,
            NumLayers = 1 + random.Next(3),
            Bidirectional = allowBidirectional && random.Next(2) == 0,
            Bias = random.Next(4) != 0,
            BatchFirst = random.Next(2) == 0,
        };
        return new RandomProblem(config, 1 + random.Next(7), 1 + random.Next(6), random.Next(2) == 0, random.Next(2) == 0, seed);
    }
}

using System;
using System.Collections.Generic;
using FastRnn.Networks;

namespace FastRnn.Tests.Networks;

/// <summary>Every cell kind and variant a session streams, in every weight format, for the session and state tests.</summary>
internal static class StreamCells
{
    public static readonly (CellKind Kind, CellVariant Variant, bool Projection)[] Kinds =
    [
        (CellKind.RnnTanh, CellVariant.Standard, false),
        (CellKind.RnnRelu, CellVariant.Standard, false),
        (CellKind.Lstm, CellVariant.Standard, false),
        (CellKind.Lstm, CellVariant.Peephole, false),
        (CellKind.Lstm, CellVariant.Standard, true),
        (CellKind.Gru, CellVariant.Standard, false),
        (CellKind.Gru, CellVariant.ResetBefore, false),
    ];

    /// <summary>kind, variant, projection, weight format.</summary>
    public static IEnumerable<object[]> KindsAndFormats()
    {
        foreach ((CellKind kind, CellVariant variant, bool projection) in Kinds)
        {
            foreach (WeightFormat format in new[] { WeightFormat.Float32, WeightFormat.BFloat16, WeightFormat.Int8 })
            {
                yield return [kind, variant, projection, format];
            }
        }
    }

    /// <summary>A 2-layer network: input 9, hidden <paramref name="hidden"/>, a projection to about half of it.</summary>
    public static RecurrentNetwork Network(
        CellKind kind, CellVariant variant, bool projection, WeightFormat format, int hidden, int layers = 2, bool bidirectional = false, bool reverse = false, bool batchFirst = false)
    {
        var d = new NetworkDescription(kind, 9, hidden)
        {
            Variant = variant,
            ProjectionSize = projection ? (hidden / 2) + 1 : 0,
            NumLayers = layers,
            Bidirectional = bidirectional,
            Reverse = reverse,
            BatchFirst = batchFirst,
        };
        return RecurrentNetwork.CreateRandom(d, 5).WithWeightFormat(format);
    }

    public static float[] Uniform(Random random, int count, double scale = 1.0)
    {
        float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)(((random.NextDouble() * 2) - 1) * scale);
        }

        return values;
    }
}

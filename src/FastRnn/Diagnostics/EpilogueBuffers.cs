namespace FastRnn.Diagnostics;

/// <summary>
/// Sizes of one epilogue check (units, batch, the active vector width and the padded row length)
/// and the gathers that read the valid units out of padded, packed rows.
/// </summary>
internal readonly record struct EpilogueBuffers(int Units, int Batch, int Width)
{
    /// <summary>Units padded to whole vectors (Hp).</summary>
    public int Padded => PackedLayout.PaddedUnits(Units, Width);

    /// <summary>The description for the table, e.g. "units 1..33, batch 1..3".</summary>
    public static string SizesText => "units 1..33, batch 1..3";

    /// <summary>Unit counts on both sides of every vector width.</summary>
    public static int[] UnitCounts { get; } = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33];

    /// <summary>Gate <paramref name="gate"/> of every valid unit of every row of a packed [batch, stride] buffer.</summary>
    public float[] Gate(float[] packed, int stride, int gates, int gate)
    {
        float[] values = new float[Batch * Units];
        for (int b = 0; b < Batch; b++)
        {
            for (int u = 0; u < Units; u++)
            {
                values[(b * Units) + u] = packed[(b * stride) + PackedLayout.Index(gates, Width, gate, u)];
            }
        }

        return values;
    }

    /// <summary>The valid units of every row of a natural-order [batch, stride] buffer, from an offset.</summary>
    public float[] Natural(float[] buffer, int stride, int offset = 0)
    {
        float[] values = new float[Batch * Units];
        for (int b = 0; b < Batch; b++)
        {
            for (int u = 0; u < Units; u++)
            {
                values[(b * Units) + u] = buffer[(b * stride) + offset + u];
            }
        }

        return values;
    }
}

namespace FastRnn.Diagnostics;

/// <summary>
/// Where the kernels keep gate g of unit u in a packed row, as documented on PackedMatrix: for one
/// gate the natural order; for several, per block of one vector of units, the gates side by side.
/// Written here from that description so the self-test does not trust the library's own mapping.
/// </summary>
internal static class PackedLayout
{
    /// <summary>Units rounded up to whole vectors.</summary>
    public static int PaddedUnits(int units, int width) => (units + width - 1) / width * width;

    /// <summary>Position of (gate, unit) in a packed row of <paramref name="gates"/> gates.</summary>
    public static int Index(int gates, int width, int gate, int unit) =>
        gates == 1 ? unit : (gates * width * (unit / width)) + (gate * width) + (unit % width);
}

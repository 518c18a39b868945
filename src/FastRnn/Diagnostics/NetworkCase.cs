using FastRnn.Networks;

namespace FastRnn.Diagnostics;

/// <summary>One network the self-test runs forward and backward: a name for the table, the description, T, B and optional lengths.</summary>
internal sealed record NetworkCase(string Name, NetworkDescription Description, int Steps, int Batch, int[]? Lengths = null)
{
    /// <summary>The networks checked: every cell kind and variant, stacking, directions, lengths and batch_first.</summary>
    public static NetworkCase[] All { get; } =
    [
        new("RNN tanh", new NetworkDescription(CellKind.RnnTanh, 5, 7), 4, 3),
        new("RNN relu", new NetworkDescription(CellKind.RnnRelu, 3, 9), 4, 2),
        new("LSTM", new NetworkDescription(CellKind.Lstm, 4, 5), 4, 3),
        new("LSTM peephole", new NetworkDescription(CellKind.Lstm, 3, 9) { Variant = CellVariant.Peephole }, 3, 2),
        new("LSTM projection", new NetworkDescription(CellKind.Lstm, 3, 8) { ProjectionSize = 3 }, 3, 2),
        new("GRU", new NetworkDescription(CellKind.Gru, 4, 5), 4, 3),
        new("GRU reset-before", new NetworkDescription(CellKind.Gru, 3, 9) { Variant = CellVariant.ResetBefore }, 3, 2),
        new("LSTM 2 layers, no bias", new NetworkDescription(CellKind.Lstm, 3, 4) { NumLayers = 2, Bias = false }, 3, 2),
        new("GRU bidirectional, lengths", new NetworkDescription(CellKind.Gru, 3, 5) { Bidirectional = true }, 4, 3, [4, 2, 3]),
        new("RNN tanh 2 layers bi, batch_first, lengths", new NetworkDescription(CellKind.RnnTanh, 2, 9) { NumLayers = 2, Bidirectional = true, BatchFirst = true }, 3, 2, [2, 3]),
        new("LSTM proj 2 layers bi, lengths", new NetworkDescription(CellKind.Lstm, 3, 5) { ProjectionSize = 2, NumLayers = 2, Bidirectional = true }, 3, 3, [3, 1, 2]),
    ];

    /// <summary>The sizes for the table, e.g. "I5 H7 T4 B3".</summary>
    public string SizesText
    {
        get
        {
            NetworkDescription d = Description;
            string projection = d.ProjectionSize > 0 ? $" P{d.ProjectionSize}" : string.Empty;
            string layers = d.NumLayers > 1 ? $" L{d.NumLayers}" : string.Empty;
            return $"I{d.InputSize} H{d.HiddenSize}{projection}{layers} T{Steps} B{Batch}";
        }
    }
}

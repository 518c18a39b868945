namespace FastRnn;

/// <summary>The recurrent cell, named as PyTorch's <c>mode</c>.</summary>
public enum CellKind
{
    /// <summary>Vanilla RNN: h' = tanh(W_ih x + b_ih + W_hh h + b_hh).</summary>
    RnnTanh,

    /// <summary>Vanilla RNN with ReLU: h' = relu(W_ih x + b_ih + W_hh h + b_hh).</summary>
    RnnRelu,

    /// <summary>LSTM with gates i, f, g, o (PyTorch row order) and a cell state.</summary>
    Lstm,

    /// <summary>GRU with gates r, z, n (PyTorch row order).</summary>
    Gru,
}

namespace FastRnn;

/// <summary>Variants of a cell beyond PyTorch's standard form.</summary>
public enum CellVariant
{
    /// <summary>PyTorch's formulas (for GRU: the reset gate multiplies W_hn h + b_hn).</summary>
    Standard,

    /// <summary>
    /// LSTM with Graves' peephole connections: i and f see w_ci ⊙ c and w_cf ⊙ c of the previous
    /// cell state, o sees w_co ⊙ c' of the new one (weights <c>weight_c{i,f,o}_l{k}</c>, shape [H]).
    /// </summary>
    Peephole,

    /// <summary>GRU as in Cho et al. 2014 (Keras reset_after=False): n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn).</summary>
    ResetBefore,
}

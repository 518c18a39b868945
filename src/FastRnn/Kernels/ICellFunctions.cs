namespace FastRnn.Kernels;

/// <summary>
/// The activation functions an epilogue applies, as a struct type argument: the JIT compiles one
/// epilogue per set, so the default set costs nothing over calling sigmoid and tanh directly.
/// </summary>
/// <typeparam name="TVec">The vector type of the path.</typeparam>
internal interface ICellFunctions<TVec>
    where TVec : struct
{
    /// <summary>LSTM i, f, o; GRU z, r.</summary>
    TVec Gate(TVec x);

    /// <summary>LSTM g; GRU n; the vanilla RNN's state.</summary>
    TVec Candidate(TVec x);

    /// <summary>LSTM h' = o ⊙ CellOutput(c').</summary>
    TVec CellOutput(TVec x);
}

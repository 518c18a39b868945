namespace FastRnn.Kernels;

/// <summary>
/// The integer operations of the int8 matrix kernel (<see cref="Int8MatMul"/>) on one path: int8
/// weights sign-extended to int16 times int16 activations, two adjacent columns per int32 lane
/// (pmaddwd on x86, widening multiply-accumulate on ARM64, plain integers in scalar code). The
/// activations are quantized by <see cref="Int16Rows"/> on the float path of the same width.
/// </summary>
/// <remarks>
/// Integer sums are exact, so every implementation gives the same int32 per lane for the same column
/// pairs, and the conversion to float (<see cref="AddScaled"/>) uses the same float operations on every
/// path: a row's int8 product is bit-identical on every path, batch block and thread count.
/// MultiplyAdd (<see cref="IMultiplyAdd{TIn, TAcc}"/>) is acc[lane] += w[lane][0] · q[k] + w[lane][1] · q[k + 1], exactly.
/// </remarks>
/// <typeparam name="TI">A vector of int16 (weights of Lanes rows × a column pair, or a broadcast activation pair).</typeparam>
/// <typeparam name="TAcc">The int32 accumulator of one vector of Lanes rows.</typeparam>
internal interface IInt8DotOps<TI, TAcc> : IMultiplyAdd<TI, TAcc>
    where TI : struct
    where TAcc : struct
{
    /// <summary>Output rows per vector: the float width of the path the matrix was packed for.</summary>
    static abstract int Lanes { get; }

    /// <summary>Batch rows the kernel keeps in registers at once.</summary>
    static abstract int BatchBlock { get; }

    /// <summary>The instructions, as `fastrnn info` and the self-test name them.</summary>
    static abstract string Name { get; }

    static abstract TAcc Zero { get; }

    /// <summary>Loads 2 * Lanes int8 weights ([lane][2]: Lanes rows, two adjacent columns) as int16.</summary>
    static abstract TI LoadWeights(ref sbyte source);

    /// <summary>Broadcasts the activation pair (q[k], q[k + 1]) to every lane pair.</summary>
    static abstract TI BroadcastPair(ref short pair);

    /// <summary>y[lane] = y[lane] + (float)acc[lane] · (rowScales[lane] · inputScale): a multiply, a multiply and an add, never fused.</summary>
    static abstract void AddScaled(TAcc acc, ref float rowScales, float inputScale, ref float y);
}

namespace FastRnn.Kernels;

/// <summary>
/// The vector operations a kernel needs, implemented once per path (512/256/128-bit and scalar).
/// Kernels are written once, generic over an ops struct; the JIT specialises each instantiation,
/// so every call below compiles to the single instruction of that path.
/// </summary>
/// <typeparam name="TVec">The vector type of the path (<c>Vector512&lt;float&gt;</c>, ..., or <c>float</c>).</typeparam>
/// <remarks>MultiplyAdd (a * b + c, fused where the hardware has FMA) comes from <see cref="IMultiplyAdd{TIn, TAcc}"/>.</remarks>
internal interface ISimdOps<TVec> : IMultiplyAdd<TVec, TVec>
    where TVec : struct
{
    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }

    /// <summary>Batch rows a matrix kernel keeps in registers at once (bounded by the register file).</summary>
    static abstract int BatchBlock { get; }

    static abstract TVec Zero { get; }

    static abstract TVec Broadcast(float value);

    static abstract TVec Load(ref float source);

    static abstract void Store(TVec value, ref float destination);

    /// <summary>
    /// Stores past the caches (a non-temporal store) for outputs too large to be read back from cache;
    /// the destination must be pinned and aligned to the vector size.
    /// </summary>
    static abstract void StoreNonTemporal(TVec value, ref float destination);

    /// <summary>Loads Count bfloat16 values (the high halves of float32) and widens them to float32.</summary>
    static abstract TVec LoadBFloat16(ref ushort source);

    /// <summary>
    /// Loads two vectors of bfloat16 stored lane by lane as pairs (2 * Count values, [lane][2], the
    /// layout of paired bf16 vectors): each 32-bit word holds lane i of both, so the first is the word
    /// shifted left by 16 and the second the word with its low half cleared: one full-width load and
    /// two integer operations for two vectors.
    /// </summary>
    static abstract void LoadBFloat16Pairs(ref ushort source, out TVec first, out TVec second);

    /// <summary>
    /// Loads Count rows of two adjacent int8 columns stored pairwise (2 * Count bytes, [lane][2], the
    /// layout of int8 matrices) and converts them to float32: the even column and the odd one.
    /// </summary>
    static abstract void LoadInt8Pairs(ref sbyte source, out TVec even, out TVec odd);

    static abstract TVec Add(TVec left, TVec right);

    static abstract TVec Subtract(TVec left, TVec right);

    static abstract TVec Multiply(TVec left, TVec right);

    static abstract TVec Divide(TVec left, TVec right);

    static abstract TVec Abs(TVec value);

    /// <summary>Minimum with the hardware's native NaN behaviour; callers restore NaN themselves.</summary>
    static abstract TVec MinNative(TVec left, TVec right);

    /// <summary>Maximum with the hardware's native NaN behaviour; callers restore NaN themselves.</summary>
    static abstract TVec MaxNative(TVec left, TVec right);

    /// <summary>All-ones lanes where left &lt; right (false for NaN).</summary>
    static abstract TVec LessThan(TVec left, TVec right);

    /// <summary>All-ones lanes where the value is NaN.</summary>
    static abstract TVec IsNaN(TVec value);

    /// <summary>Lanes of ifTrue where mask is all-ones, else ifFalse.</summary>
    static abstract TVec Select(TVec mask, TVec ifTrue, TVec ifFalse);

    /// <summary>The magnitude of the first with the sign of the second.</summary>
    static abstract TVec CopySign(TVec magnitude, TVec sign);

    /// <summary>
    /// 2^n for lanes that hold integral values in [-126, 127]. In that range the platform's own
    /// float-to-int conversion is exact, so the vector paths use it rather than the saturating
    /// conversion, which costs three more instructions per call on x64 (a fix-up, a compare, a blend).
    /// </summary>
    static abstract TVec Pow2(TVec integral);

    /// <summary>
    /// value × 2^n for lanes of <paramref name="integral"/> that hold integral values in [-126, 127],
    /// where the product is a normal float: exactly <c>Multiply(value, Pow2(integral))</c>, since
    /// scaling by a power of two rounds nothing there. AVX-512 does it in one instruction
    /// (<c>vscalefps</c>) where the other paths build 2^n and multiply.
    /// </summary>
    static abstract TVec ScaleByPow2(TVec value, TVec integral);

    /// <summary>Round to nearest integral value, ties to even.</summary>
    static abstract TVec Round(TVec value);

    /// <summary>
    /// Lane-wise integer maximum of <paramref name="bits"/> and the bits of |value| (the vector holds
    /// int32 bit patterns, not floats): the running maximum of <see cref="Int16Rows"/>.
    /// </summary>
    static abstract TVec MaxMagnitudeBits(TVec bits, TVec value);

    /// <summary>The largest int32 lane of a vector of bit patterns (see <see cref="MaxMagnitudeBits"/>).</summary>
    static abstract int MaxLaneBits(TVec bits);

    /// <summary>Stores 2 * Count int16: the lanes of low, then of high, which hold integral values within ±32767.</summary>
    static abstract void StoreInt16(TVec low, TVec high, ref short destination);
}

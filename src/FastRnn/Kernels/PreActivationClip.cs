using System.Runtime.CompilerServices;

namespace FastRnn.Kernels;

/// <summary>
/// ONNX's cell clip: a pre-activation bounded to [-limit, limit] before its activation (the
/// <c>clip</c> attribute of LSTM, GRU and RNN nodes). NaN stays NaN on every path: the native
/// min/max return their second operand when either is NaN, and the value is always that operand.
/// </summary>
internal readonly struct PreActivationClip<TOps, TVec>
    where TOps : struct, ISimdOps<TVec>
    where TVec : struct
{
    private readonly TVec low;
    private readonly TVec high;

    /// <summary>Bounds for <paramref name="limit"/>; +Inf means no clipping (<see cref="Enabled"/> false).</summary>
    public PreActivationClip(float limit)
    {
        Enabled = limit < float.PositiveInfinity;
        low = TOps.Broadcast(-limit);
        high = TOps.Broadcast(limit);
    }

    /// <summary>Whether a limit is set; the epilogues skip <see cref="Apply"/> otherwise.</summary>
    public bool Enabled { get; }

    /// <summary>The value bounded to [-limit, limit].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec Apply(TVec value) => TOps.MinNative(high, TOps.MaxNative(low, value));
}

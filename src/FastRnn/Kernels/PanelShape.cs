namespace FastRnn.Kernels;

/// <summary>
/// The number of vectors in one packed panel, as a type so the JIT compiles one kernel body per
/// count with every accumulator in a register (C# has no const generics).
/// </summary>
internal interface IPanelShape
{
    static abstract int Vectors { get; }
}

internal readonly struct OneVector : IPanelShape
{
    public static int Vectors => 1;
}

internal readonly struct TwoVectors : IPanelShape
{
    public static int Vectors => 2;
}

internal readonly struct ThreeVectors : IPanelShape
{
    public static int Vectors => 3;
}

internal readonly struct FourVectors : IPanelShape
{
    public static int Vectors => 4;
}

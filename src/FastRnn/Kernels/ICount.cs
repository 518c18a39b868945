namespace FastRnn.Kernels;

/// <summary>
/// A small count as a type, so the JIT compiles one kernel body per count with every accumulator in a
/// register and the code for other counts removed (C# has no const generics). The product kernels take
/// two: the vectors of one packed panel (their <c>TShape</c>) and the batch rows they keep in registers at
/// once, their register block (<c>TRows</c>).
/// </summary>
internal interface ICount
{
    static abstract int Value { get; }
}

internal readonly struct One : ICount
{
    public static int Value => 1;
}

internal readonly struct Two : ICount
{
    public static int Value => 2;
}

internal readonly struct Three : ICount
{
    public static int Value => 3;
}

internal readonly struct Four : ICount
{
    public static int Value => 4;
}

using System;

namespace FastRnn.Kernels;

/// <summary>
/// The hidden units [First, End) of every row that a step's epilogue covers: all of them, or one
/// thread's share when a step is split by output rows (whole vectors, so every lane stays on the
/// path it would take unsplit and the results stay bit-identical).
/// </summary>
/// <param name="First">First unit (a multiple of the vector width).</param>
/// <param name="End">End of the range (a multiple of the vector width, at most Hp).</param>
internal readonly record struct UnitRange(int First, int End)
{
    /// <summary>Every unit of a row of <paramref name="paddedUnits"/>.</summary>
    public static UnitRange All(int paddedUnits) => new(0, paddedUnits);

    /// <summary>The range, or every unit when none is given; refuses a range that is not whole vectors inside the row.</summary>
    public static UnitRange Check(UnitRange? units, int paddedUnits)
    {
        UnitRange range = units ?? All(paddedUnits);
        int width = Isa.FloatsPerVector;
        if (range.First < 0 || range.End > paddedUnits || range.First > range.End || range.First % width != 0 || range.End % width != 0)
        {
            throw new ArgumentException($"Units [{range.First}, {range.End}) are not whole vectors of {width} inside a row of {paddedUnits}.");
        }

        return range;
    }
}

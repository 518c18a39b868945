using System;

namespace FastRnn.IO;

/// <summary>Caps that keep a hostile or corrupt file from making the reader allocate or recurse without bound.</summary>
internal static class SafeTensorsLimits
{
    /// <summary>Same cap as the reference (Rust/Python) implementation, so files it rejects are rejected here too.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>A well-formed header nests three levels (root, tensor, shape); anything much deeper is garbage.</summary>
    public const int MaxJsonDepth = 8;

    /// <summary>The whole file is held in one byte array, so it cannot be longer than the largest array.</summary>
    public static long MaxFileBytes => Array.MaxLength;

    /// <summary>How many tensor names an error message lists before summarising the rest.</summary>
    public const int MaxNamesInMessage = 10;
}

namespace FastRnn.Kernels;

/// <summary>How a product reaches Y.</summary>
internal enum ProductWrite
{
    /// <summary>y += W x.</summary>
    Accumulate,

    /// <summary>y = W x.</summary>
    Overwrite,

    /// <summary>y = W x with non-temporal stores (large outputs; pinned, vector-aligned Y only).</summary>
    Stream,
}

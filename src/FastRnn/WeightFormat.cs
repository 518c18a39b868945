namespace FastRnn;

#pragma warning disable CA1720 // Formats are named after their element types, as dtypes are in PyTorch and safetensors.
/// <summary>How a network stores the weight matrices its kernels stream (activations, states and accumulation stay float32).</summary>
public enum WeightFormat
{
    /// <summary>IEEE float32: exact.</summary>
    Float32,

    /// <summary>bfloat16 (the top 16 bits of float32, rounded to nearest even): half the bytes, about 3 significant digits.</summary>
    BFloat16,

    /// <summary>int8 with one symmetric float32 scale per weight row (max |w| / 127): a quarter of the bytes.</summary>
    Int8,
}
#pragma warning restore CA1720

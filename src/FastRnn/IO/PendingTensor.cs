namespace FastRnn.IO;

/// <summary>A tensor queued in a <see cref="SafeTensorsWriter"/>: its header fields and its little-endian bytes.</summary>
internal sealed class PendingTensor
{
    public PendingTensor(string name, SafeTensorsDType dtype, int[] shape, byte[] data)
    {
        Name = name;
        DType = dtype;
        Shape = shape;
        Data = data;
    }

    public string Name { get; }

    public SafeTensorsDType DType { get; }

    public int[] Shape { get; }

    public byte[] Data { get; }
}

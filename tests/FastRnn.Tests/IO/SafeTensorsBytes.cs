using System;
using System.Buffers.Binary;
using System.Text;

namespace FastRnn.Tests.IO;

/// <summary>Assembles raw safetensors bytes by hand, so tests can produce files the writer never would.</summary>
internal static class SafeTensorsBytes
{
    public static byte[] Build(string headerJson, int dataLength) =>
        Build(Encoding.UTF8.GetBytes(headerJson), new byte[dataLength]);

    public static byte[] Build(string headerJson, byte[] data) =>
        Build(Encoding.UTF8.GetBytes(headerJson), data);

    public static byte[] Build(byte[] header, byte[] data) =>
        Build((ulong)header.Length, header, data);

    /// <summary>Lets a test declare a header length that disagrees with the header it supplies.</summary>
    public static byte[] Build(ulong declaredHeaderLength, byte[] header, byte[] data)
    {
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredHeaderLength);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    /// <summary>A one-tensor header: tensor <paramref name="name"/> of the given dtype, shape and offsets (raw JSON fragments).</summary>
    public static string OneTensor(string name, string dtype, string shape, string offsets) =>
        $"{{\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":{offsets}}}}}";
}

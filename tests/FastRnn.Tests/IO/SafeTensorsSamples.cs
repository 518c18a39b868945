using System;
using System.IO;
using FastRnn.IO;

namespace FastRnn.Tests.IO;

/// <summary>Small valid files and the location of the conformance files copied next to the test assembly.</summary>
internal static class SafeTensorsSamples
{
    public static string ConformanceDirectory => Path.Combine(AppContext.BaseDirectory, "Conformance");

    public static string ConformanceFile(string caseName) =>
        Path.Combine(ConformanceDirectory, caseName + ".safetensors");

    /// <summary>A small file with every dtype the writer produces, metadata, a scalar and an empty tensor.</summary>
    public static byte[] Small()
    {
        var writer = new SafeTensorsWriter();
        writer.SetMetadata("mode", "LSTM");
        writer.Add("w", new float[] { 1f, -2.5f, 3f, 4f, 5f, 6f }, new[] { 2, 3 });
        writer.Add("d", new double[] { Math.PI, -1e300 }, new[] { 2 });
        writer.Add("n", new long[] { long.MinValue, 7 }, new[] { 2 });
        writer.Add("s", new float[] { 42f }, ReadOnlySpan<int>.Empty);
        writer.Add("e", ReadOnlySpan<float>.Empty, new[] { 0 });
        return writer.ToArray();
    }

    /// <summary>Reads every tensor with the accessor its dtype allows, to exercise the data paths of a parsed file.</summary>
    public static void ReadAll(SafeTensorsFile file)
    {
        foreach (SafeTensorsEntry entry in file.Tensors)
        {
            switch (entry.DType)
            {
                case SafeTensorsDType.F32:
                case SafeTensorsDType.F16:
                case SafeTensorsDType.BF16:
                    file.ReadFloat32(entry.Name);
                    break;
                case SafeTensorsDType.F64:
                    file.ReadFloat64(entry.Name);
                    file.ReadFloat32(entry.Name);
                    break;
                case SafeTensorsDType.I64:
                case SafeTensorsDType.I32:
                    file.ReadInt64(entry.Name);
                    break;
                default:
                    break;
            }

            file.RawBytes(entry.Name);
        }
    }
}

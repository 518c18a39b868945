using System;
using System.Collections.Generic;
using System.Globalization;

namespace FastRnn.IO;

/// <summary>The checks every float weight read from a file passes: a float dtype, the expected shape, finite values.</summary>
internal static class WeightTensors
{
    /// <summary>Reads an F32, F16 or BF16 tensor as floats, refusing other dtypes and NaN/Inf with the tensor's name.</summary>
    public static float[] ReadFloat(SafeTensorsFile file, SafeTensorsEntry entry, string where)
    {
        if (entry.DType is not (SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16))
        {
            throw new FastRnnFormatException($"{where}: tensor '{entry.Name}' has dtype {entry.DType.ToHeaderName()}; weights must be F32, F16 or BF16.");
        }

        float[] data = file.ReadFloat32(entry.Name);
        RequireFinite(data, entry.Name, where);
        return data;
    }

    public static void RequireFinite(float[] data, string name, string where)
    {
        for (int i = 0; i < data.Length; i++)
        {
            if (!float.IsFinite(data[i]))
            {
                throw new FastRnnFormatException($"{where}: tensor '{name}' holds {data[i].ToString(CultureInfo.InvariantCulture)} at index {i}; weights must be finite.");
            }
        }
    }

    public static bool SameShape(IReadOnlyList<int> actual, int[] expected)
    {
        if (actual.Count != expected.Length)
        {
            return false;
        }

        for (int i = 0; i < expected.Length; i++)
        {
            if (actual[i] != expected[i])
            {
                return false;
            }
        }

        return true;
    }
}

using System;
using System.Buffers.Binary;
using System.Globalization;
using FastRnn.Onnx.Model;

namespace FastRnn.Onnx;

/// <summary>Reads the elements of constant ONNX tensors (FLOAT as float32, INT64/INT32 as int64).</summary>
internal static class OnnxTensors
{
    /// <summary>The tensor's elements as float32; the tensor must be FLOAT and stored inside the model.</summary>
    /// <param name="tensor">The tensor.</param>
    /// <param name="what">What the tensor is (e.g. "input W of node /lstm/LSTM"), for messages.</param>
    /// <returns>The row-major elements.</returns>
    public static float[] ReadFloats(TensorProto tensor, string what)
    {
        CheckStoredInside(tensor, what);
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
        {
            throw new FastRnnFormatException($"{what} has element type {TypeName(tensor.DataType)}; FastRnn imports FLOAT (float32) weights only.");
        }

        long count = ElementCount(tensor, what);
        if (tensor.RawData.Length > 0)
        {
            if (tensor.RawData.Length != count * sizeof(float))
            {
                throw new FastRnnFormatException($"{what} has {tensor.RawData.Length} bytes of raw_data; its shape [{Dims(tensor)}] needs {count * sizeof(float)}.");
            }

            ReadOnlySpan<byte> bytes = tensor.RawData.Span;
            float[] values = new float[count];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * sizeof(float), sizeof(float)));
            }

            return values;
        }

        if (tensor.FloatData.Count != count)
        {
            throw new FastRnnFormatException($"{what} has {tensor.FloatData.Count} values in float_data; its shape [{Dims(tensor)}] needs {count}.");
        }

        float[] result = new float[count];
        tensor.FloatData.CopyTo(result, 0);
        return result;
    }

    /// <summary>The tensor's elements as int64; the tensor must be INT64 or INT32 (shapes, axes).</summary>
    /// <param name="tensor">The tensor.</param>
    /// <param name="what">What the tensor is, for messages.</param>
    /// <returns>The row-major elements.</returns>
    public static long[] ReadIntegers(TensorProto tensor, string what)
    {
        CheckStoredInside(tensor, what);
        long count = ElementCount(tensor, what);
        bool is64 = tensor.DataType == (int)TensorProto.Types.DataType.Int64;
        if (!is64 && tensor.DataType != (int)TensorProto.Types.DataType.Int32)
        {
            throw new FastRnnFormatException($"{what} has element type {TypeName(tensor.DataType)}; expected INT64 or INT32.");
        }

        // The stored data must match dims before the result is allocated: dims alone can claim
        // 2^28 elements (2 GB) in a model of a few hundred bytes.
        int size = is64 ? sizeof(long) : sizeof(int);
        string field = is64 ? "int64_data" : "int32_data";
        if (tensor.RawData.Length > 0)
        {
            if (tensor.RawData.Length != count * size)
            {
                throw new FastRnnFormatException($"{what} has dims [{Dims(tensor)}] ({count} elements, {count * size} bytes) but stores {tensor.RawData.Length} bytes of raw_data.");
            }

            long[] values = new long[count];
            ReadOnlySpan<byte> bytes = tensor.RawData.Span;
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = is64
                    ? BinaryPrimitives.ReadInt64LittleEndian(bytes.Slice(i * size, size))
                    : BinaryPrimitives.ReadInt32LittleEndian(bytes.Slice(i * size, size));
            }

            return values;
        }

        int stored = is64 ? tensor.Int64Data.Count : tensor.Int32Data.Count;
        if (stored != count)
        {
            throw new FastRnnFormatException($"{what} has dims [{Dims(tensor)}] ({count} elements) but stores {stored} values in {field}.");
        }

        long[] result = new long[count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = is64 ? tensor.Int64Data[i] : tensor.Int32Data[i];
        }

        return result;
    }

    /// <summary>The tensor's dimensions, comma separated, for messages.</summary>
    public static string Dims(TensorProto tensor) => string.Join(", ", tensor.Dims);

    /// <summary>The ONNX name of an element type, e.g. FLOAT16, or its number if unknown.</summary>
    public static string TypeName(int dataType) =>
        Enum.IsDefined((TensorProto.Types.DataType)dataType)
            ? ((TensorProto.Types.DataType)dataType).ToString().ToUpperInvariant()
            : string.Create(CultureInfo.InvariantCulture, $"data type {dataType}");

    private static void CheckStoredInside(TensorProto tensor, string what)
    {
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External || tensor.ExternalData.Count > 0)
        {
            throw new FastRnnFormatException($"{what} keeps its data in an external file; FastRnn reads weights stored inside the .onnx file only (re-save the model without external data).");
        }
    }

    private static long ElementCount(TensorProto tensor, string what)
    {
        long count = 1;
        foreach (long d in tensor.Dims)
        {
            if (d < 0 || d > int.MaxValue)
            {
                throw new FastRnnFormatException($"{what} has an invalid dimension {d} in its shape [{Dims(tensor)}].");
            }

            count *= d;
            if (count > int.MaxValue / sizeof(long))
            {
                throw new FastRnnFormatException($"{what} has shape [{Dims(tensor)}]: too many elements.");
            }
        }

        return count;
    }
}

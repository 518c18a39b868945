using System;
using System.IO;
using FastRnn.Onnx.Model;
using Google.Protobuf;

namespace FastRnn.Onnx;

/// <summary>Parses .onnx files (protobuf <c>ModelProto</c>) with the code protoc generates from Proto/onnx.proto3.</summary>
internal static class OnnxModelReader
{
    /// <summary>Protobuf's own limit on one message; larger models keep their weights in external files.</summary>
    private const long MaxModelBytes = int.MaxValue;

    /// <summary>Reads and parses a model file.</summary>
    /// <param name="path">The .onnx file.</param>
    /// <returns>The model.</returns>
    /// <exception cref="FastRnnFormatException">The path is a directory, or the file is not a parsable ONNX model or has no graph.</exception>
    public static ModelProto Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);

        // FileInfo and File.OpenRead report a directory as "Could not find file".
        if (Directory.Exists(path))
        {
            throw new FastRnnFormatException($"'{path}' is a directory, not an ONNX model file.");
        }

        long length = new FileInfo(path).Length;
        if (length > MaxModelBytes)
        {
            throw new FastRnnFormatException($"{path}: {length} bytes is more than a protobuf message can hold; models that large keep their weights in external data, which FastRnn does not read.");
        }

        using FileStream stream = File.OpenRead(path);
        return Parse(stream, path);
    }

    /// <summary>Parses a model from a stream.</summary>
    /// <param name="stream">The serialized <c>ModelProto</c>.</param>
    /// <param name="where">Name of the source, for messages.</param>
    /// <returns>The model.</returns>
    /// <exception cref="FastRnnFormatException">The bytes are not a parsable ONNX model or it has no graph.</exception>
    public static ModelProto Parse(Stream stream, string where)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new FastRnnFormatException($"{where}: not an ONNX model (protobuf ModelProto): {e.Message}", e);
        }

        if (model.Graph is null)
        {
            throw new FastRnnFormatException($"{where}: the ONNX model has no graph.");
        }

        return model;
    }
}

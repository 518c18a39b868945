using System;
using System.IO;
using FastRnn.IO;
using FastRnn.Training;
using SharpFuzz;

namespace FastRnn.Fuzz;

/// <summary>
/// <c>FastRnn.Fuzz safetensors|network|checkpoint</c>: an AFL++ target (through SharpFuzz) that feeds
/// each input to one reader. Rejection with <see cref="FastRnnFormatException"/> is the expected
/// failure; any other exception escapes and AFL++ records the input as a crash.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        Action<byte[]>? target = args.Length == 1 ? Target(args[0]) : null;
        if (target is null)
        {
            Console.Error.WriteLine("usage: FastRnn.Fuzz safetensors|network|checkpoint (input on standard input, run under afl-fuzz)");
            return 2;
        }

        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            try
            {
                target(buffer.ToArray());
            }
            catch (FastRnnFormatException)
            {
                // A clean rejection.
            }
        });
        return 0;
    }

    private static Action<byte[]>? Target(string name) => name switch
    {
        "safetensors" => ReadSafeTensors,
        "network" => bytes => NetworkFile.FromSafeTensors(SafeTensorsFile.Parse(bytes)),
        "checkpoint" => ReadCheckpoint,
        _ => null,
    };

    private static void ReadSafeTensors(byte[] bytes)
    {
        SafeTensorsFile file = SafeTensorsFile.Parse(bytes);
        foreach (SafeTensorsEntry entry in file.Tensors)
        {
            _ = entry.DType switch
            {
                SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16 or SafeTensorsDType.F64 => file.ReadFloat32(entry.Name).Length,
                SafeTensorsDType.I64 or SafeTensorsDType.I32 => file.ReadInt64(entry.Name).Length,
                _ => file.RawBytes(entry.Name).Length,
            };
        }
    }

    private static void ReadCheckpoint(byte[] bytes)
    {
        string path = Path.Combine(Path.GetTempPath(), $"fastrnn-afl-{Environment.ProcessId}.safetensors");
        File.WriteAllBytes(path, bytes);
        var weight = new Parameter("head.weight", [2, 3], new float[6], new float[6]);
        var bias = new Parameter("head.bias", [2], new float[2], new float[2]);
        Checkpoint.Load(path, [weight, bias], new FastRnn.Training.Optimizers.Adam([weight, bias]));
    }
}

using System;
using System.Collections.Generic;
using System.Text;
using FastRnn.Tests.IO;

namespace FastRnn.Tests.Reliability.Fuzzing;

/// <summary>Hand-made hostile files, each aimed at one way a reader can be fooled into a crash, a hang or a huge allocation.</summary>
internal static class HostileInputs
{
    /// <summary>Files that are not valid safetensors at all.</summary>
    public static IEnumerable<(string What, byte[] Bytes)> Malformed()
    {
        byte[] header = Encoding.UTF8.GetBytes(SafeTensorsBytes.OneTensor("w", "F32", "[2]", "[0,8]"));
        foreach (ulong lie in new ulong[] { 0, 1, (ulong)header.Length - 1, (ulong)header.Length + 1, int.MaxValue, (ulong)int.MaxValue + 9, long.MaxValue, ulong.MaxValue })
        {
            yield return ($"header length {lie} for a {header.Length}-byte header", SafeTensorsBytes.Build(lie, header, new byte[8]));
        }

        yield return ("shape whose product overflows 64 bits", SafeTensorsBytes.Build(SafeTensorsBytes.OneTensor("w", "F32", "[2147483647,2147483647,2147483647]", "[0,4]"), 4));
        yield return ("shape whose byte size overflows after the element count fits", SafeTensorsBytes.Build(SafeTensorsBytes.OneTensor("w", "F64", "[2147483647,2147483647,4]", "[0,8]"), 8));
        yield return ("shape with a zero after an overflow", SafeTensorsBytes.Build(SafeTensorsBytes.OneTensor("w", "F32", "[2147483647,2147483647,2147483647,0]", "[0,0]"), 0));
        yield return ("a dimension beyond int", SafeTensorsBytes.Build(SafeTensorsBytes.OneTensor("w", "F32", "[4294967296]", "[0,4]"), 4));
        yield return ("a huge shape with matching huge offsets", SafeTensorsBytes.Build(SafeTensorsBytes.OneTensor("w", "U8", "[2147483647]", "[0,2147483647]"), 16));
        yield return ("offsets beyond 2^63", SafeTensorsBytes.Build(SafeTensorsBytes.OneTensor("w", "U8", "[1]", "[18446744073709551614,18446744073709551615]"), 1));
        yield return ("end before begin", SafeTensorsBytes.Build(SafeTensorsBytes.OneTensor("w", "U8", "[0]", "[8,4]"), 8));
        yield return ("overlapping tensors", SafeTensorsBytes.Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12));
        yield return ("the same bytes for two tensors", SafeTensorsBytes.Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8));
        yield return ("unknown dtype", SafeTensorsBytes.Build(SafeTensorsBytes.OneTensor("w", "F4", "[2]", "[0,2]"), 2));
        yield return ("non-UTF-8 tensor name", SafeTensorsBytes.Build([.. "{\""u8, 0xC0, 0x80, .. "\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}"u8], new byte[1]));
        yield return ("lone surrogate escape", SafeTensorsBytes.Build(SafeTensorsBytes.OneTensor("\\ud800", "U8", "[1]", "[0,1]"), 1));
        yield return ("duplicate tensor names", SafeTensorsBytes.Build("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2));
        foreach (int depth in new[] { 63, 64, 65, 1000, 100_000 })
        {
            yield return ($"arrays nested {depth} deep", SafeTensorsBytes.Build("{\"w\":" + new string('[', depth) + new string(']', depth) + "}", 0));
            yield return ($"objects nested {depth} deep", SafeTensorsBytes.Build("{\"__metadata__\":" + Repeat("{\"a\":", depth) + "1" + new string('}', depth) + "}", 0));
        }

        yield return ("metadata value that is not a string", SafeTensorsBytes.Build("{\"__metadata__\":{\"mode\":1}}", 0));
        yield return ("empty file", []);
        yield return ("only a length prefix", new byte[8]);
    }

    /// <summary>Valid safetensors files that are no valid network, case or checkpoint.</summary>
    public static IEnumerable<(string What, byte[] Bytes)> WellFormedButWrong()
    {
        yield return ("a megabyte of whitespace and no tensors", SafeTensorsBytes.Build("{" + new string(' ', 1 << 20) + "}", 0));
        yield return ("network with the largest sizes and no tensors", SafeTensorsBytes.Build(
            "{\"__metadata__\":{\"mode\":\"LSTM\",\"input_size\":\"1048576\",\"hidden_size\":\"65536\",\"num_layers\":\"64\",\"bidirectional\":\"true\"}}", 0));
        yield return ("network metadata with sizes beyond int", SafeTensorsBytes.Build(
            "{\"__metadata__\":{\"mode\":\"GRU\",\"input_size\":\"99999999999\",\"hidden_size\":\"-1\"}}", 0));
        yield return ("checkpoint marker with optimizer state and a bad step count", SafeTensorsBytes.Build(
            "{\"__metadata__\":{\"fastrnn_checkpoint\":\"1\",\"optimizer_steps\":\"-5\"}}", 0));
        yield return ("a case whose input has 2^31 - 1 steps of nothing", SafeTensorsBytes.Build(
            "{\"__metadata__\":{\"mode\":\"GRU\",\"input_size\":\"1\",\"hidden_size\":\"1\"},\"input\":{\"dtype\":\"F32\",\"shape\":[2147483647,0,1],\"data_offsets\":[0,0]}}", 0));
    }

    private static string Repeat(string text, int count)
    {
        var builder = new StringBuilder(text.Length * count);
        for (int i = 0; i < count; i++)
        {
            builder.Append(text);
        }

        return builder.ToString();
    }
}

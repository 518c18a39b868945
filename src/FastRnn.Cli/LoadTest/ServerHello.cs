using System;
using System.Text.Json;

namespace FastRnn.Cli.LoadTest;

/// <summary>
/// The one text message a server sends after the upgrade:
/// <c>{"input_size":I,"output_size":O,"cell":"Lstm","hidden_size":H,"layers":L,"weights":"fp32","isa":"Vector512","max_batch":64}</c>.
/// The test needs the two sizes; the rest is passed on to the report as it came.
/// </summary>
internal sealed class ServerHello
{
    private const int MaxSize = 1 << 20;

    private ServerHello(int inputSize, int outputSize, JsonElement json)
    {
        InputSize = inputSize;
        OutputSize = outputSize;
        Json = json;
    }

    /// <summary>I: floats per frame.</summary>
    public int InputSize { get; }

    /// <summary>O: floats per answer.</summary>
    public int OutputSize { get; }

    /// <summary>The whole message.</summary>
    public JsonElement Json { get; }

    /// <summary>The hello in <paramref name="utf8"/>, or null with <paramref name="problem"/> saying what is wrong with it.</summary>
    public static ServerHello? Parse(ReadOnlySpan<byte> utf8, out string? problem)
    {
        JsonElement json;
        try
        {
            var reader = new Utf8JsonReader(utf8);
            using JsonDocument document = JsonDocument.ParseValue(ref reader);
            json = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            problem = $"the hello is not JSON: {e.Message}";
            return null;
        }

        if (json.ValueKind != JsonValueKind.Object)
        {
            problem = $"the hello is a JSON {json.ValueKind}, expected an object with input_size and output_size";
            return null;
        }

        int? input = Size(json, "input_size"), output = Size(json, "output_size");
        if (input is null || output is null)
        {
            problem = $"the hello needs input_size and output_size as integers in 1..{MaxSize}, got {json.GetRawText()}";
            return null;
        }

        problem = null;
        return new ServerHello(input.Value, output.Value, json);
    }

    private static int? Size(JsonElement json, string name) =>
        json.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int size) && size >= 1 && size <= MaxSize
            ? size
            : null;
}

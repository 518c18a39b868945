using System;
using System.IO;
using FastRnn.IO;

namespace FastRnn.Benchmarks.Serving;

/// <summary>
/// Writes the serving figures' model as a PyTorch user saves one: <c>model.state_dict()</c> of a
/// module with <c>self.rnn = nn.LSTM(I, H)</c> and <c>self.head = nn.Linear(H, C)</c>, so the load
/// test and the service load it through the same path as a real model (<c>--rnn-prefix rnn.
/// --head-prefix head.</c>). Weights are seeded and uniform in ±1/√H, PyTorch's initialisation, so
/// every run of the sweep steps the same numbers.
/// </summary>
internal static class ServingModel
{
    public const int InputSize = 64, HiddenSize = 256, Classes = 16;

    public static int Run(string path)
    {
        var random = new Random(20261204);
        float scale = 1f / MathF.Sqrt(HiddenSize);
        var writer = new SafeTensorsWriter();
        Add(writer, random, scale, "rnn.weight_ih_l0", 4 * HiddenSize, InputSize);    // [4H, I]
        Add(writer, random, scale, "rnn.weight_hh_l0", 4 * HiddenSize, HiddenSize);   // [4H, H]
        Add(writer, random, scale, "rnn.bias_ih_l0", 4 * HiddenSize);                 // [4H]
        Add(writer, random, scale, "rnn.bias_hh_l0", 4 * HiddenSize);                 // [4H]
        Add(writer, random, scale, "head.weight", Classes, HiddenSize);               // [C, H]
        Add(writer, random, scale, "head.bias", Classes);                             // [C]
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        writer.Save(path);
        Console.WriteLine($"Wrote {path}: LSTM I = {InputSize}, H = {HiddenSize}, one layer, head to {Classes} classes (rnn., head.).");
        return 0;
    }

    private static void Add(SafeTensorsWriter writer, Random random, float scale, string name, params int[] shape)
    {
        int count = 1;
        foreach (int d in shape)
        {
            count *= d;
        }

        var data = new float[count];
        for (int i = 0; i < count; i++)
        {
            data[i] = ((random.NextSingle() * 2) - 1) * scale;
        }

        writer.Add(name, data, shape);
    }
}

using System;
using System.Collections.Generic;
using FastRnn.IO;
using FastRnn.Networks;

namespace FastRnn.Cli.Commands;

/// <summary>
/// The non-parameter tensors of a conformance-format case (see shared/conformance/FORMAT.md):
/// inputs, initial states, lengths, cotangents and expected results, checked against the network.
/// </summary>
internal sealed class CaseTensors
{
    private CaseTensors(int steps, int batch, float[] input, float[]? h0, float[]? c0, int[]? lengths)
    {
        Steps = steps;
        Batch = batch;
        Input = input;
        H0 = h0;
        C0 = c0;
        Lengths = lengths;
    }

    public int Steps { get; }

    public int Batch { get; }

    public float[] Input { get; }

    public float[]? H0 { get; }

    public float[]? C0 { get; }

    public int[]? Lengths { get; }

    /// <summary>Whether a tensor name belongs to the case rather than to the network.</summary>
    public static bool IsCaseTensor(string name) =>
        name is "input" or "h0" or "c0" or "lengths" or "grad_output" or "grad_h_n" or "grad_c_n" or "output" or "h_n" or "c_n"
        || name.StartsWith("grad.", StringComparison.Ordinal);

    public static CaseTensors Read(SafeTensorsFile file, NetworkDescription d)
    {
        string where = file.SourceName ?? "the case";
        if (!file.Contains("input"))
        {
            throw new FastRnnFormatException($"{where}: no 'input' tensor; a case needs input [T, B, I] (or [B, T, I] with batch_first).");
        }

        IReadOnlyList<int> shape = file.Get("input").Shape;
        if (shape.Count != 3 || shape[2] != d.InputSize || shape[0] < 1 || shape[1] < 1)
        {
            throw new FastRnnFormatException($"{where}: input has shape [{string.Join(", ", shape)}]; expected {(d.BatchFirst ? "[B, T, " : "[T, B, ")}{d.InputSize}] with T, B ≥ 1.");
        }

        int steps = d.BatchFirst ? shape[1] : shape[0];
        int batch = d.BatchFirst ? shape[0] : shape[1];
        int slots = d.NumLayers * d.Directions;
        float[]? h0 = Optional(file, "h0", [slots, batch, d.StateSize], where);
        float[]? c0 = Optional(file, "c0", [slots, batch, d.HiddenSize], where);
        if (c0 is not null && !d.HasCellState)
        {
            throw new FastRnnFormatException($"{where}: a {d.Kind} case has no cell state, but the file holds 'c0'.");
        }

        int[]? lengths = null;
        if (file.Contains("lengths"))
        {
            CheckShape(file, "lengths", [batch], where);
            long[] raw = file.ReadInt64("lengths");
            lengths = new int[raw.Length];
            for (int i = 0; i < raw.Length; i++)
            {
                if (raw[i] < 1 || raw[i] > steps)
                {
                    throw new FastRnnFormatException($"{where}: lengths[{i}] = {raw[i]}; each length must be in 1..{steps}.");
                }

                lengths[i] = (int)raw[i];
            }
        }
        else if (file.Metadata.TryGetValue("has_lengths", out string? has) && has == "true")
        {
            throw new FastRnnFormatException($"{where}: metadata has_lengths is true but there is no 'lengths' tensor.");
        }

        float[] input = file.ReadFloat32("input");
        return new CaseTensors(steps, batch, input, h0, c0, lengths);
    }

    public static void CheckShape(SafeTensorsFile file, string name, int[] expected, string where)
    {
        IReadOnlyList<int> actual = file.Get(name).Shape;
        bool same = actual.Count == expected.Length;
        for (int i = 0; same && i < expected.Length; i++)
        {
            same = actual[i] == expected[i];
        }

        if (!same)
        {
            throw new FastRnnFormatException($"{where}: '{name}' has shape [{string.Join(", ", actual)}]; expected [{string.Join(", ", expected)}].");
        }
    }

    private static float[]? Optional(SafeTensorsFile file, string name, int[] shape, string where)
    {
        if (!file.Contains(name))
        {
            return null;
        }

        CheckShape(file, name, shape, where);
        return file.ReadFloat32(name);
    }
}

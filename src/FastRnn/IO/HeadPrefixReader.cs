using System.Collections.Generic;
using FastRnn.Heads;
using FastRnn.Networks;

namespace FastRnn.IO;

/// <summary>Reads an <c>nn.Linear</c> head (<c>weight</c> [C, H_out], optional <c>bias</c> [C]) from its prefix and checks it fits the network.</summary>
internal static class HeadPrefixReader
{
    private const string WeightName = "weight";
    private const string BiasName = "bias";

    public static DenseHead Read(SafeTensorsFile file, ModuleTensors parts, string prefix, string rnnPrefix, HeadActivation activation, NetworkDescription network, string where)
    {
        Dictionary<string, SafeTensorsEntry> tensors = parts.Head;
        if (!tensors.TryGetValue(WeightName, out SafeTensorsEntry? weight))
        {
            string found = tensors.Count == 0
                ? $"no tensor name starts with '{prefix}'"
                : $"missing head weight '{prefix}{WeightName}' (under that prefix: {ModuleTensors.DescribeNames(tensors)})";
            throw new FastRnnFormatException(
                $"{where}: no dense head at prefix '{prefix}': {found}. Matrices in the file that could be a head (names cut at '{WeightName}'): {ModuleTensors.DescribePrefixes(file, WeightName, static entry => entry.Shape.Count == 2)}.");
        }

        if (weight.Shape.Count != 2 || weight.Shape[0] < 1 || weight.Shape[1] < 1)
        {
            throw new FastRnnFormatException($"{where}: head weight {NameList.Describe(weight)} should be a matrix [C, {network.OutputSize}] with C at least 1.");
        }

        int classes = weight.Shape[0];
        if (weight.Shape[1] != network.OutputSize)
        {
            throw new FastRnnFormatException($"{where}: head weight {weight} takes {weight.Shape[1]} inputs, but the network at prefix '{rnnPrefix}' outputs {network.OutputSize} features per step (expected [{classes}, {network.OutputSize}]).");
        }

        float[] bias = [];
        if (tensors.TryGetValue(BiasName, out SafeTensorsEntry? biasEntry))
        {
            if (!WeightTensors.SameShape(biasEntry.Shape, [classes]))
            {
                throw new FastRnnFormatException($"{where}: head bias {NameList.Describe(biasEntry)} should have shape [{classes}], one value per row of '{weight.Name}'.");
            }

            bias = WeightTensors.ReadFloat(file, biasEntry, where);
        }

        foreach ((string name, SafeTensorsEntry entry) in tensors)
        {
            if (name is not (WeightName or BiasName))
            {
                throw new FastRnnFormatException($"{where}: unexpected tensor {NameList.Describe(entry)} under head prefix '{prefix}': a dense head has only '{WeightName}' and '{BiasName}'.");
            }
        }

        return DenseHead.Create(WeightTensors.ReadFloat(file, weight, where), bias, network.OutputSize, classes, activation);
    }
}

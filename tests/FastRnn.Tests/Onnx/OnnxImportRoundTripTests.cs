using System;
using System.Collections.Generic;
using System.Linq;
using FastRnn.Networks;
using FastRnn.Onnx;
using Xunit;

namespace FastRnn.Tests.Onnx;

/// <summary>
/// PyTorch weights written to ONNX the way torch.onnx.export writes them (gate rows reordered to
/// ONNX's order, b_ih and b_hh concatenated, layers as a linked stack) import back as exactly the
/// original tensors, bit for bit, under their state_dict names.
/// </summary>
public class OnnxImportRoundTripTests
{
    [Theory]
    [InlineData(CellKind.Lstm, 2, true, true)]
    [InlineData(CellKind.Lstm, 3, false, false)]
    [InlineData(CellKind.Gru, 2, true, true)]
    [InlineData(CellKind.RnnTanh, 1, true, false)]
    [InlineData(CellKind.RnnRelu, 2, false, true)]
    public void Pytorch_weights_survive_export_and_import_bit_for_bit(CellKind kind, int layers, bool bidirectional, bool bias)
    {
        var description = new NetworkDescription(kind, inputSize: 6, hiddenSize: 5) { NumLayers = layers, Bidirectional = bidirectional, Bias = bias };
        RecurrentNetwork original = RecurrentNetwork.CreateRandom(description, seed: layers + (int)kind);
        List<OnnxNodeSpec> specs = [.. Enumerable.Range(0, layers).Select(k => ExportLayer(original, k))];

        ImportedNetwork imported = Assert.Single(OnnxImportChainTests.Import(OnnxModelBuilder.Build(specs)));
        Assert.Equal(description, imported.Network.Description);
        Assert.Equal(original.ParameterNames, imported.Network.ParameterNames);
        foreach (string name in original.ParameterNames)
        {
            Assert.True(original.GetParameter(name).SequenceEqual(imported.Network.GetParameter(name)), $"{name} differs");
        }
    }

    /// <summary>What torch.onnx.export writes for layer k: ONNX gate order (LSTM i, o, f, c from i, f, g, o; GRU z, r, h from r, z, n).</summary>
    private static OnnxNodeSpec ExportLayer(RecurrentNetwork network, int layer)
    {
        NetworkDescription d = network.Description;
        int[] pytorchBlockOfOnnxGate = d.Kind switch
        {
            CellKind.Lstm => [0, 3, 1, 2],
            CellKind.Gru => [1, 0, 2],
            _ => [0],
        };
        float[] Stack(string kind, int columns) =>
            [.. Enumerable.Range(0, d.Directions).SelectMany(dir => Reorder(network.GetParameter(NetworkDescription.ParameterName(kind, layer, dir)).ToArray(), pytorchBlockOfOnnxGate, d.HiddenSize * columns))];
        return new OnnxNodeSpec
        {
            Op = d.Kind switch { CellKind.Lstm => "LSTM", CellKind.Gru => "GRU", _ => "RNN" },
            InputSize = d.LayerInputSize(layer),
            HiddenSize = d.HiddenSize,
            Directions = d.Directions,
            Relu = d.Kind == CellKind.RnnRelu,
            LinearBeforeReset = 1,
            W = Stack("weight_ih", d.LayerInputSize(layer)),
            R = Stack("weight_hh", d.HiddenSize),
            B = d.Bias
                ? [.. Enumerable.Range(0, d.Directions).SelectMany(dir =>
                    Reorder(network.GetParameter(NetworkDescription.ParameterName("bias_ih", layer, dir)).ToArray(), pytorchBlockOfOnnxGate, d.HiddenSize)
                    .Concat(Reorder(network.GetParameter(NetworkDescription.ParameterName("bias_hh", layer, dir)).ToArray(), pytorchBlockOfOnnxGate, d.HiddenSize)))]
                : null,
        };
    }

    private static float[] Reorder(float[] rows, int[] sourceBlocks, int blockSize) =>
        [.. sourceBlocks.SelectMany(block => rows.AsSpan(block * blockSize, blockSize).ToArray())];
}

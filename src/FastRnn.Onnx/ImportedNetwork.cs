using System;
using System.Collections.Generic;
using FastRnn.Networks;

namespace FastRnn.Onnx;

/// <summary>
/// A FastRnn network imported from the recurrent nodes of an ONNX model: one node, or a chain of
/// nodes of one kind that together form a multi-layer network (as <c>torch.onnx.export</c> writes
/// <c>num_layers &gt; 1</c>), layer k being the k-th node of the chain.
/// </summary>
public sealed class ImportedNetwork
{
    /// <summary>Creates the result of an import.</summary>
    /// <param name="nodeNames">The nodes, first layer first (unnamed nodes are called <c>OpType#index</c>).</param>
    /// <param name="network">The network, parameters under PyTorch <c>state_dict</c> names.</param>
    public ImportedNetwork(IReadOnlyList<string> nodeNames, RecurrentNetwork network)
    {
        ArgumentNullException.ThrowIfNull(nodeNames);
        ArgumentNullException.ThrowIfNull(network);
        if (nodeNames.Count != network.Description.NumLayers)
        {
            throw new ArgumentException($"{nodeNames.Count} node names for a network of {network.Description.NumLayers} layer(s).", nameof(nodeNames));
        }

        NodeNames = nodeNames;
        Network = network;
    }

    /// <summary>The name of the first (or only) node: the network's name.</summary>
    public string Name => NodeNames[0];

    /// <summary>The ONNX nodes the network was built from, one per layer, first layer first.</summary>
    public IReadOnlyList<string> NodeNames { get; }

    /// <summary>The network.</summary>
    public RecurrentNetwork Network { get; }
}

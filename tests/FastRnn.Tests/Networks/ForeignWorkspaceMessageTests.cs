using System;
using FastRnn.Layers;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// A workspace of another network is refused with a message that names both networks (the guarantee:
/// "a message naming the expected and the actual ... a workspace of another network"), and says that a
/// network with the same description, loaded again, is another network too: the usual way to meet it.
/// </summary>
public sealed class ForeignWorkspaceMessageTests
{
    [Fact]
    public void AWorkspaceOfAnotherNetworkNamesBothNetworks()
    {
        RecurrentNetwork lstm = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, 3, 4) { NumLayers = 2 }, 1);
        RecurrentNetwork gru = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Gru, 3, 4), 1);
        using SequenceWorkspace foreign = gru.CreateWorkspace(2, 5);

        var e = Assert.Throws<ArgumentException>(() => lstm.Forward(foreign, new float[5 * 2 * 3], 5, 2, new float[5 * 2 * 4]));
        Assert.Equal("workspace", e.ParamName);
        Assert.Contains("Gru (Standard) network with input_size 3, hidden_size 4", e.Message, StringComparison.Ordinal);
        Assert.Contains("Lstm (Standard) network with input_size 3, hidden_size 4, proj_size 0, num_layers 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AWorkspaceOfTheSameModelLoadedAgainSaysSo()
    {
        var d = new NetworkDescription(CellKind.Gru, 3, 4);
        RecurrentNetwork first = RecurrentNetwork.CreateRandom(d, 1), again = RecurrentNetwork.CreateRandom(d, 1);
        using SequenceWorkspace workspace = first.CreateWorkspace(1, 1);

        var e = Assert.Throws<ArgumentException>(() => again.Forward(workspace, new float[3], 1, 1, new float[4]));
        Assert.Contains("same description", e.Message, StringComparison.Ordinal);
        Assert.Contains("CreateWorkspace", e.Message, StringComparison.Ordinal);
    }
}

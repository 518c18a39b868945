using System;
using FastRnn.Networks;
using Xunit;

namespace FastRnn.Tests.Reliability;

/// <summary>Descriptions and parameter queries that cannot be served are refused with argument exceptions that say why.</summary>
public sealed class NetworkCreationMisuseTests
{
    [Fact]
    public void ADescriptionWhoseWeightMatrixWouldNotFitIsRefusedBeforeAnythingIsAllocated()
    {
        // Within every per-size limit, but 4 · 1024 rows by 2^20 columns is 16 GiB of weights in one matrix.
        var huge = new NetworkDescription(CellKind.Lstm, 1 << 20, 1024);
        Misuse.Refused(huge.Validate, "[4096, 1048576]", "under 2 GiB");
        Misuse.Refused(() => RecurrentNetwork.CreateRandom(huge, 1), "[4096, 1048576]", "under 2 GiB");

        // The layer below's output is the widest input of a deep bidirectional network.
        var deep = new NetworkDescription(CellKind.Gru, 8, 1 << 14) { NumLayers = 2, Bidirectional = true };
        Misuse.Refused(deep.Validate, "[49152, 32768]");
        new NetworkDescription(CellKind.Lstm, 1 << 16, 1024).Validate(); // 1 GiB: accepted
    }

    [Fact]
    public void AParameterQueryWithoutANameNamesTheParameter()
    {
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Gru, 3, 4), 1);
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => network.GetParameter(null!)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => network.GetParameterShape(null!)).ParamName);
    }
}

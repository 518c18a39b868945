using System;
using FastRnn.Networks;
using FastRnn.Serving;
using Xunit;

namespace FastRnn.Tests.Serving;

/// <summary>
/// The calls of a disposed batcher whose documentation lists <see cref="ObjectDisposedException"/>
/// only since this review (<see cref="StreamBatcher.Reset"/>, <see cref="StreamBatcher.Open()"/>,
/// <see cref="StreamBatcher.CloseIdleStreams"/>) throw it, before looking at the handle, as the others do.
/// </summary>
public sealed class BatcherDisposedStateCallTests
{
    private static readonly RecurrentNetwork Network = ServingFixtures.Create(new NetworkDescription(CellKind.Gru, 3, 4), 7);

    [Fact]
    public void ResetOpenAndCloseIdleStreamsOfADisposedBatcherSaySo()
    {
        var batcher = new StreamBatcher(Network, new StreamBatcherOptions { MaxStreams = 2, IdleTimeout = TimeSpan.FromMinutes(1) });
        StreamHandle stream = batcher.Open();
        batcher.Dispose();

        Assert.Throws<ObjectDisposedException>(() => batcher.Reset(stream));
        Assert.Throws<ObjectDisposedException>(() => batcher.Reset(default)); // disposal first, not the default handle's ArgumentException
        Assert.Throws<ObjectDisposedException>(() => batcher.Open());
        Assert.Throws<ObjectDisposedException>(() => batcher.CloseIdleStreams());
    }
}

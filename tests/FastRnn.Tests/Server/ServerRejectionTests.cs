using System;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.IO;
using FastRnn.Networks;
using FastRnn.Server;
using Xunit;

namespace FastRnn.Tests.Server;

/// <summary>
/// Bad input closes only its own connection, with the status the protocol names and a reason
/// naming the problem: a frame of the wrong length (1007), a text message (1003), one stream too
/// many (1013, the others unaffected), a stream idle past the timeout (1008); a client that
/// vanishes gets its slot freed.
/// </summary>
public sealed class ServerRejectionTests
{
    [Theory]
    [InlineData(12)]
    [InlineData(24)]
    [InlineData(5000)]
    [InlineData(0)]
    public async Task AFrameOfTheWrongLengthClosesWith1007(int bytes)
    {
        CancellationToken timeout = ServerFixture.Timeout();
        await using TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath }, timeout);
        (ClientWebSocket socket, _) = await ServerFixture.ConnectAsync(server, timeout);
        using (socket)
        {
            await ServerFixture.SendAsync(socket, new float[5], timeout);
            Assert.Equal(17, (await ServerFixture.ReceiveFloatsAsync(socket, timeout)).Length);
            await socket.SendAsync(new byte[bytes], WebSocketMessageType.Binary, true, timeout);
            await ServerFixture.ExpectCloseAsync(socket, WebSocketCloseStatus.InvalidPayloadData, $"expected 4·5 = 20 bytes (5 float32), got {bytes} bytes", timeout);
        }

        await TestServer.WaitUntilAsync(() => server.Batcher.OpenStreams == 0, "the stream's slot is freed");
    }

    [Fact]
    public async Task AnEndlessMessageIsCountedOnlyUpToALimit()
    {
        CancellationToken timeout = ServerFixture.Timeout();
        await using TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath }, timeout);
        (ClientWebSocket socket, _) = await ServerFixture.ConnectAsync(server, timeout);
        using (socket)
        {
            byte[] chunk = new byte[64 * 1024];
            Task<(WebSocketMessageType Type, byte[] Bytes)> close = ServerFixture.ReceiveAsync(socket, timeout);
            try
            {
                for (int i = 0; i < 40 && !close.IsCompleted; i++)
                {
                    await socket.SendAsync(chunk, WebSocketMessageType.Binary, false, timeout); // never ends the message
                }
            }
            catch (WebSocketException)
            {
                // The server aborts a client that keeps sending after its close: fine, the close is already here.
            }

            Assert.Equal(WebSocketMessageType.Close, (await close).Type);
            Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, socket.CloseStatus);
            Assert.StartsWith("expected 4·5 = 20 bytes (5 float32), got more than ", socket.CloseStatusDescription, StringComparison.Ordinal);
        }

        await TestServer.WaitUntilAsync(() => server.Batcher.OpenStreams == 0, "the stream's slot is freed");
    }

    [Fact]
    public async Task AStreamIdlePastTheTimeoutIsClosedWith1008OnItsNextFrame()
    {
        CancellationToken timeout = ServerFixture.Timeout();
        await using TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath, IdleTimeoutSeconds = 1 }, timeout);
        (ClientWebSocket socket, _) = await ServerFixture.ConnectAsync(server, timeout);
        using (socket)
        {
            await ServerFixture.SendAsync(socket, new float[5], timeout);
            await ServerFixture.ReceiveFloatsAsync(socket, timeout);
            await Task.Delay(1300, timeout);
            await ServerFixture.SendAsync(socket, new float[5], timeout);
            await ServerFixture.ExpectCloseAsync(socket, WebSocketCloseStatus.PolicyViolation, "stream idle for longer than 1 s", timeout);
        }

        await TestServer.WaitUntilAsync(() => server.Batcher.OpenStreams == 0, "the expired stream's slot stays free");
    }

    [Fact]
    public async Task AnIdleConnectionIsClosedWith1008WithoutSendingAnything()
    {
        // Without the sweep, clients that connect and wait would each hold a socket for ever: every
        // new client frees an expired slot, so --max-streams would bound nothing.
        CancellationToken timeout = ServerFixture.Timeout();
        await using TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath, IdleTimeoutSeconds = 1, MaxStreams = 2 }, timeout);
        var began = System.Diagnostics.Stopwatch.StartNew();
        (ClientWebSocket first, _) = await ServerFixture.ConnectAsync(server, timeout);
        (ClientWebSocket second, _) = await ServerFixture.ConnectAsync(server, timeout);
        using (first)
        using (second)
        {
            await ServerFixture.SendAsync(second, new float[5], timeout);
            await ServerFixture.ReceiveFloatsAsync(second, timeout);
            await ServerFixture.ExpectCloseAsync(first, WebSocketCloseStatus.PolicyViolation, "stream idle for longer than 1 s", timeout);
            await ServerFixture.ExpectCloseAsync(second, WebSocketCloseStatus.PolicyViolation, "stream idle for longer than 1 s", timeout);
        }

        Assert.True(began.Elapsed < TimeSpan.FromSeconds(10), $"closed after {began.Elapsed}");
        await TestServer.WaitUntilAsync(() => server.Batcher.OpenStreams == 0, "the idle streams' slots are freed");
    }

    [Fact]
    public async Task AFrameSplitIntoFragmentsIsOneFrame()
    {
        CancellationToken timeout = ServerFixture.Timeout();
        await using TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath }, timeout);
        (ClientWebSocket socket, _) = await ServerFixture.ConnectAsync(server, timeout);
        using (socket)
        {
            byte[] frame = new byte[20];
            await socket.SendAsync(frame.AsMemory(0, 7), WebSocketMessageType.Binary, false, timeout);
            await socket.SendAsync(frame.AsMemory(7, 13), WebSocketMessageType.Binary, true, timeout);
            Assert.Equal(17, (await ServerFixture.ReceiveFloatsAsync(socket, timeout)).Length);
            await ServerFixture.CloseAsync(socket, timeout);
        }
    }

    [Fact]
    public async Task ATextMessageClosesWith1003()
    {
        CancellationToken timeout = ServerFixture.Timeout();
        await using TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath }, timeout);
        (ClientWebSocket socket, _) = await ServerFixture.ConnectAsync(server, timeout);
        using (socket)
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes("{\"frame\":[1,2,3,4,5]}"), WebSocketMessageType.Text, true, timeout);
            await ServerFixture.ExpectCloseAsync(socket, WebSocketCloseStatus.InvalidMessageType, "expected binary frames of 20 bytes (5 float32); got a text message", timeout);
        }
    }

    [Fact]
    public async Task OneStreamTooManyIsClosedWith1013AndTheOthersGoOn()
    {
        CancellationToken timeout = ServerFixture.Timeout();
        await using TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath, MaxStreams = 2 }, timeout);
        (ClientWebSocket first, _) = await ServerFixture.ConnectAsync(server, timeout);
        (ClientWebSocket second, _) = await ServerFixture.ConnectAsync(server, timeout);
        using (first)
        using (second)
        using (var third = new ClientWebSocket())
        {
            await third.ConnectAsync(server.Stream, timeout);
            await ServerFixture.ExpectCloseAsync(third, StreamEndpoint.TryAgainLater, "server full: 2 streams open", timeout);
            foreach (ClientWebSocket socket in new[] { first, second })
            {
                await ServerFixture.SendAsync(socket, new float[5], timeout);
                Assert.Equal(17, (await ServerFixture.ReceiveFloatsAsync(socket, timeout)).Length);
            }

            await ServerFixture.CloseAsync(first, timeout);
            await TestServer.WaitUntilAsync(() => server.Batcher.OpenStreams == 1, "the closed stream's slot is freed");
            await ServerTestsShared.RunOneStreamAsync(server, timeout); // the freed slot serves a new client
            await ServerFixture.CloseAsync(second, timeout);
        }
    }

    [Fact]
    public async Task AClientThatVanishesMidStreamHasItsSlotFreed()
    {
        CancellationToken timeout = ServerFixture.Timeout();
        await using TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath }, timeout);
        (ClientWebSocket socket, _) = await ServerFixture.ConnectAsync(server, timeout);
        using (socket)
        {
            for (int t = 0; t < 5; t++)
            {
                await ServerFixture.SendAsync(socket, new float[5], timeout);
            }

            await ServerFixture.ReceiveFloatsAsync(socket, timeout);
            Assert.Equal(1, server.Batcher.OpenStreams);
            socket.Abort();
        }

        await TestServer.WaitUntilAsync(() => server.Batcher.OpenStreams == 0, "the vanished client's slot is freed");
        await ServerTestsShared.RunOneStreamAsync(server, timeout);
    }
}

internal static class ServerTestsShared
{
    /// <summary>A short stream checked against a session of its own.</summary>
    public static Task RunOneStreamAsync(TestServer server, CancellationToken timeout) =>
        ServerStreamTests.RunStreamAsync(server, NetworkFile.Load(ServerFixture.LstmPath), null, 3, 10, timeout);

    /// <summary>
    /// Starts a server for the 2-layer LSTM (64 slots, batches of 16), runs <paramref name="clients"/>
    /// concurrent clients (each given its index and the network it checks against), and waits until
    /// every stream they opened is closed.
    /// </summary>
    public static async Task RunConcurrentClientsAsync(int clients, Func<TestServer, RecurrentNetwork, int, Task> client, CancellationToken timeout)
    {
        await using TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath, MaxStreams = 64, MaxBatch = 16 }, timeout);
        RecurrentNetwork network = NetworkFile.Load(ServerFixture.LstmPath);
        var running = new Task[clients];
        for (int c = 0; c < clients; c++)
        {
            int index = c;
            running[c] = Task.Run(() => client(server, network, index), timeout);
        }

        await Task.WhenAll(running);
        await TestServer.WaitUntilAsync(() => server.Batcher.OpenStreams == 0, "every stream is closed");
    }
}

using System;
using System.Collections.Generic;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.IO;
using FastRnn.Networks;
using FastRnn.Server;
using FastRnn.Sessions;
using FastRnn.Tests.Serving;
using Xunit;

namespace FastRnn.Tests.Server;

/// <summary>
/// /v1/streams, many streams on one connection: every record's answer bit-identical to a
/// <see cref="StreamingSession"/> per stream, in the message's order, whichever streams a message
/// holds; ended and expired streams start again from zero; bad messages close only their own
/// connection, with a reason naming the problem.
/// </summary>
public sealed class ServerMultiplexTests
{
    [Fact]
    public async Task FiftyStreamsOnFiveConnectionsAreAnsweredInOrderBitForBit()
    {
        const int Connections = 5, PerConnection = 10, Messages = 60;
        CancellationToken timeout = ServerFixture.Timeout(30);
        await ServerTestsShared.RunConcurrentClientsAsync(
            Connections, (server, network, connection) => RunConnectionAsync(server, network, connection, PerConnection, Messages, timeout), timeout);
    }

    [Fact]
    public async Task ANonFiniteFrameMakesOnlyItsOwnStreamNaNInASharedMessage()
    {
        await OnOneConnectionAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath }, async (server, socket, timeout) =>
        {
            RecurrentNetwork network = NetworkFile.Load(ServerFixture.LstmPath);
            StreamingSession healthy = network.CreateSession();
            float[] expected = new float[17];
            for (int t = 0; t < 5; t++)
            {
                float[] poisoned = [1, t == 0 ? float.NaN : 0.5f, 0, 0, 0];
                float[] frame = [0.5f, -1, 0.25f * t, 2, -0.75f];
                await MultiplexClient.SendAsync(socket, [(8, poisoned), (9, frame)], timeout);
                List<(uint Id, float[] Output)> answer = await MultiplexClient.ReceiveAsync(socket, 17, timeout);
                Assert.True(Array.TrueForAll(answer[0].Output, float.IsNaN), $"step {t}: the poisoned stream stays NaN, got [{string.Join(", ", answer[0].Output)}]");
                healthy.Step(frame, 1, expected);
                ServingFixtures.AssertBitIdentical(expected, answer[1].Output, $"the healthy stream beside it, step {t}");
            }
        });
    }

    [Fact]
    public async Task AnEndedStreamFreesItsSlotAndItsIdStartsAgainFromZero()
    {
        await OnOneConnectionAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath }, async (server, socket, timeout) =>
        {
            RecurrentNetwork network = NetworkFile.Load(ServerFixture.LstmPath);
            float[] frame = [0.5f, -1, 0.25f, 2, -0.75f];
            float[] first = FirstStep(network, frame);
            await MultiplexClient.SendAsync(socket, [(3, frame), (9, frame)], timeout);
            await MultiplexClient.ReceiveAsync(socket, 17, timeout);
            Assert.Equal(2, server.Batcher.OpenStreams);
            await MultiplexClient.SendTextAsync(socket, """{"end":[3, 12345]}""", timeout);
            await TestServer.WaitUntilAsync(() => server.Batcher.OpenStreams == 1, "stream 3 is ended, 9 stays");
            await MultiplexClient.SendAsync(socket, [(3, frame), (9, frame)], timeout);
            List<(uint Id, float[] Output)> answer = await MultiplexClient.ReceiveAsync(socket, 17, timeout);
            Assert.Equal([3u, 9u], answer.ConvertAll(r => r.Id));
            ServingFixtures.AssertBitIdentical(first, answer[0].Output, "stream 3 after its end: a new stream");
            Assert.NotEqual(first, answer[1].Output); // stream 9 went on from its first step
        });
    }

    [Fact]
    public async Task AnExpiredStreamIsNamedBeforeTheAnswerWhichLeavesItOut()
    {
        await OnOneConnectionAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath, IdleTimeoutSeconds = 1 }, async (server, socket, timeout) =>
        {
            RecurrentNetwork network = NetworkFile.Load(ServerFixture.LstmPath);
            float[] frame = [0.5f, -1, 0.25f, 2, -0.75f];
            await MultiplexClient.SendAsync(socket, [(1, frame), (2, frame)], timeout);
            await MultiplexClient.ReceiveAsync(socket, 17, timeout);
            for (int i = 0; i < 6; i++)
            {
                await Task.Delay(250, timeout); // stream 2 idles, the connection does not
                await MultiplexClient.SendAsync(socket, [(1, frame)], timeout);
                await MultiplexClient.ReceiveAsync(socket, 17, timeout);
            }

            await MultiplexClient.SendAsync(socket, [(2, frame), (1, frame)], timeout);
            (WebSocketMessageType type, byte[] notice) = await ServerFixture.ReceiveAsync(socket, timeout);
            Assert.Equal(WebSocketMessageType.Text, type);
            Assert.Equal("""{"expired":[2]}""", Encoding.UTF8.GetString(notice));
            List<(uint Id, float[] Output)> answer = await MultiplexClient.ReceiveAsync(socket, 17, timeout);
            Assert.Equal([1u], answer.ConvertAll(r => r.Id));

            // The id is forgotten: its next frame opens a new stream.
            await MultiplexClient.SendAsync(socket, [(2, frame)], timeout);
            answer = await MultiplexClient.ReceiveAsync(socket, 17, timeout);
            ServingFixtures.AssertBitIdentical(FirstStep(network, frame), answer[0].Output, "stream 2 after it expired");
        });
    }

    [Fact]
    public async Task AMessageWhoseStreamsAllExpiredStillGetsItsAnswerOfNoRecords()
    {
        await OnOneConnectionAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath, IdleTimeoutSeconds = 1 }, async (server, socket, timeout) =>
        {
            float[] frame = [0.5f, -1, 0.25f, 2, -0.75f];
            await MultiplexClient.SendAsync(socket, [(1, frame)], timeout);
            await MultiplexClient.ReceiveAsync(socket, 17, timeout);
            for (int i = 0; i < 6; i++)
            {
                await Task.Delay(250, timeout); // stream 1 idles; an empty end keeps the connection going
                await MultiplexClient.SendTextAsync(socket, """{"end":[]}""", timeout);
            }

            // Two messages out before reading: the first's answer must come first, however few its records.
            await MultiplexClient.SendAsync(socket, [(1, frame)], timeout);
            await MultiplexClient.SendAsync(socket, [(2, frame)], timeout);
            (_, byte[] notice) = await ServerFixture.ReceiveAsync(socket, timeout);
            Assert.Equal("""{"expired":[1]}""", Encoding.UTF8.GetString(notice));
            Assert.Empty(await MultiplexClient.ReceiveAsync(socket, 17, timeout));
            Assert.Equal([2u], (await MultiplexClient.ReceiveAsync(socket, 17, timeout)).ConvertAll(r => r.Id));
        });
    }

    [Fact]
    public async Task AnEndLongerThanTheLongestBinaryMessageEndsItsStreams()
    {
        // Input 1: a record is 8 bytes, so the longest binary message here (2 slots) is 16 bytes.
        await OnOneConnectionAsync(new ServerOptions { ModelPath = ServerFixture.ScalarPath, MaxStreams = 2 }, async (server, socket, timeout) =>
        {
            await MultiplexClient.SendAsync(socket, [(4000000000, [0.5f]), (4294967295, [-1f])], timeout);
            await MultiplexClient.ReceiveAsync(socket, 8, timeout);
            Assert.Equal(2, server.Batcher.OpenStreams);
            await MultiplexClient.SendTextAsync(socket, """{"end":[4000000000, 4294967295]}""", timeout);
            await MultiplexClient.SendAsync(socket, [(0, [0.25f])], timeout);
            Assert.Equal([0u], (await MultiplexClient.ReceiveAsync(socket, 8, timeout)).ConvertAll(r => r.Id));
            Assert.Equal(1, server.Batcher.OpenStreams); // the two ended, the new one open
        });
    }

    [Fact]
    public async Task IdsWhoseStreamsExpiredUnnamedAreForgottenAndNamedWhenTheMapIsFull()
    {
        // A gateway that starts an id per utterance and lets them idle out: the connection's id map
        // must stay within the slots, and the client must learn those ids' state is gone.
        await OnOneConnectionAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath, MaxStreams = 2, IdleTimeoutSeconds = 1 }, async (server, socket, timeout) =>
        {
            float[] frame = [0.5f, -1, 0.25f, 2, -0.75f];
            await MultiplexClient.SendAsync(socket, [(1, frame), (2, frame)], timeout);
            await MultiplexClient.ReceiveAsync(socket, 17, timeout);
            for (int i = 0; i < 6; i++)
            {
                await Task.Delay(250, timeout); // streams 1 and 2 idle out; the connection does not
                await MultiplexClient.SendTextAsync(socket, """{"end":[]}""", timeout);
            }

            await MultiplexClient.SendAsync(socket, [(3, frame)], timeout);
            (WebSocketMessageType type, byte[] notice) = await ServerFixture.ReceiveAsync(socket, timeout);
            Assert.True(type == WebSocketMessageType.Text, $"expected the expired notice, got {type}");
            Assert.Equal("""{"expired":[1,2]}""", Encoding.UTF8.GetString(notice));
            Assert.Equal([3u], (await MultiplexClient.ReceiveAsync(socket, 17, timeout)).ConvertAll(r => r.Id));

            // Known to be new now: its frame opens a stream from zero, with no notice.
            await MultiplexClient.SendAsync(socket, [(1, frame), (3, frame)], timeout);
            Assert.Equal([1u, 3u], (await MultiplexClient.ReceiveAsync(socket, 17, timeout)).ConvertAll(r => r.Id));
            Assert.Equal(2, server.Batcher.OpenStreams);
        });
    }

    [Fact]
    public async Task ABatcherDisposedWhileTheIdMapIsFullClosesWith1001()
    {
        // A new id with the map full asks the batcher which streams are still open: a batcher disposed
        // by a stopping server must end the connection with the 1001 a refused Open sends, not an exception.
        CancellationToken timeout = ServerFixture.Timeout();
        await using TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath, MaxStreams = 1 }, timeout);
        using ClientWebSocket socket = (await ServerFixture.ConnectAsync(server.Multiplex, timeout)).Item1;
        float[] frame = [0.5f, -1, 0.25f, 2, -0.75f];
        await MultiplexClient.SendAsync(socket, [(1, frame)], timeout);
        Assert.Equal([1u], (await MultiplexClient.ReceiveAsync(socket, 17, timeout)).ConvertAll(r => r.Id)); // the map now holds every slot
        server.Batcher.Dispose();
        await MultiplexClient.SendAsync(socket, [(2, frame)], timeout);
        await ServerFixture.ExpectCloseAsync(socket, WebSocketCloseStatus.EndpointUnavailable, "server shutting down", timeout);
    }

    [Theory]
    [InlineData(0, "got 0 bytes")]
    [InlineData(23, "got 23 bytes")]
    [InlineData(50, "got 50 bytes")]
    public async Task AMessageThatIsNotWholeRecordsClosesWith1007(int bytes, string got)
    {
        CancellationToken timeout = ServerFixture.Timeout();
        await AfterOneAnswerAsync(
            socket => socket.SendAsync(new byte[bytes], WebSocketMessageType.Binary, true, timeout),
            $"expected n·24 bytes (n records: uint32 id + 5 float32), {got}",
            timeout);
    }

    [Fact]
    public async Task MoreRecordsThanSlotsAreRefusedBeforeTheyAreKept()
    {
        await OnOneConnectionAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath, MaxStreams = 4 }, async (server, socket, timeout) =>
        {
            var records = new List<(uint, float[])>();
            for (uint id = 0; id < 5; id++)
            {
                records.Add((id, new float[5]));
            }

            await MultiplexClient.SendAsync(socket, records, timeout);
            await ServerFixture.ExpectCloseAsync(socket, WebSocketCloseStatus.InvalidPayloadData, "got 120 bytes; at most 4 records", timeout);
            Assert.Equal(0, server.Batcher.OpenStreams);
        });
    }

    [Fact]
    public async Task AnIdTwiceInOneMessageClosesWith1007NamingIt()
    {
        await OnOneConnectionAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath }, async (server, socket, timeout) =>
        {
            await MultiplexClient.SendAsync(socket, [(4, new float[5]), (8, new float[5]), (4, new float[5])], timeout);
            await ServerFixture.ExpectCloseAsync(socket, WebSocketCloseStatus.InvalidPayloadData, "stream id 4 twice in one message (records 0 and 2)", timeout);
            Assert.Equal(0, server.Batcher.OpenStreams); // refused before any stream opened
        });
    }

    [Theory]
    [InlineData("""{"end":[1,"x"]}""", "an id that is not a uint32")]
    [InlineData("""{"end":[1,-1]}""", "an id that is not a uint32")]
    [InlineData("""{"stop":[1]}""", "another JSON shape")]
    [InlineData("""{"end":[1]} x""", "text that is not JSON")]
    [InlineData("""{"end":[1],"more":2}""", "more than the \"end\" array")]
    public async Task ATextMessageOtherThanEndClosesWith1007AndEndsNothing(string text, string problem)
    {
        CancellationToken timeout = ServerFixture.Timeout();
        await AfterOneAnswerAsync(socket => MultiplexClient.SendTextAsync(socket, text, timeout), $"expected text {{\"end\":[ids]}}; got {problem}", timeout);
    }

    [Fact]
    public async Task NewStreamsBeyondTheSlotsCloseWith1013AndOtherConnectionsGoOn()
    {
        CancellationToken timeout = ServerFixture.Timeout();
        await using TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath, MaxStreams = 3 }, timeout);
        (ClientWebSocket holder, _) = await ServerFixture.ConnectAsync(server.Multiplex, timeout);
        (ClientWebSocket late, _) = await ServerFixture.ConnectAsync(server.Multiplex, timeout);
        using (holder)
        using (late)
        {
            await MultiplexClient.SendAsync(holder, [(1, new float[5]), (2, new float[5])], timeout);
            await MultiplexClient.ReceiveAsync(holder, 17, timeout);
            await MultiplexClient.SendAsync(late, [(1, new float[5]), (2, new float[5])], timeout);
            Assert.Equal(WebSocketMessageType.Close, (await ServerFixture.ReceiveAsync(late, timeout)).Type);
            Assert.Equal(StreamEndpoint.TryAgainLater, late.CloseStatus);
            Assert.Equal("server full: 3 streams open; stream id 2 could not be opened", late.CloseStatusDescription);

            // Before the handshake ends (the server waits for this client's close): the refused message opened nothing.
            Assert.Equal(2, server.Batcher.OpenStreams);
            await late.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout);
            await MultiplexClient.SendAsync(holder, [(2, new float[5]), (1, new float[5])], timeout);
            Assert.Equal([2u, 1u], (await MultiplexClient.ReceiveAsync(holder, 17, timeout)).ConvertAll(r => r.Id));
            await ServerFixture.CloseAsync(holder, timeout);
        }

        await TestServer.WaitUntilAsync(() => server.Batcher.OpenStreams == 0, "every slot is freed");
    }

    [Fact]
    public async Task TheHelloIsTheOneStreamEndpointsHello()
    {
        CancellationToken timeout = ServerFixture.Timeout();
        await using TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath }, timeout);
        (ClientWebSocket one, JsonElement oneHello) = await ServerFixture.ConnectAsync(server, timeout);
        (ClientWebSocket many, JsonElement manyHello) = await ServerFixture.ConnectAsync(server.Multiplex, timeout);
        using (one)
        using (many)
        {
            Assert.Equal(oneHello.GetRawText(), manyHello.GetRawText());
            await ServerFixture.CloseAsync(one, timeout);
            await ServerFixture.CloseAsync(many, timeout);
        }
    }

    // One stream answered once, then the bad message: a close with 1007 and the reason, the stream's slot freed (a bad message ends nothing else first).
    private static Task AfterOneAnswerAsync(Func<WebSocket, Task> sendBadMessage, string reason, CancellationToken timeout) =>
        OnOneConnectionAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath }, async (server, socket, _) =>
        {
            await MultiplexClient.SendAsync(socket, [(1, new float[5])], timeout);
            await MultiplexClient.ReceiveAsync(socket, 17, timeout);
            Assert.Equal(1, server.Batcher.OpenStreams);
            await sendBadMessage(socket);
            await ServerFixture.ExpectCloseAsync(socket, WebSocketCloseStatus.InvalidPayloadData, reason, timeout);
        });

    // One connection to /v1/streams on a server with these options: the test's exchange, the client's
    // close if the server has not closed it, then every slot freed however the connection ended.
    private static async Task OnOneConnectionAsync(ServerOptions options, Func<TestServer, ClientWebSocket, CancellationToken, Task> exchange)
    {
        CancellationToken timeout = ServerFixture.Timeout();
        await using TestServer server = await TestServer.StartAsync(options, timeout);
        (ClientWebSocket socket, _) = await ServerFixture.ConnectAsync(server.Multiplex, timeout);
        using (socket)
        {
            await exchange(server, socket, timeout);
            if (socket.State == WebSocketState.Open)
            {
                await ServerFixture.CloseAsync(socket, timeout);
            }
        }

        await TestServer.WaitUntilAsync(() => server.Batcher.OpenStreams == 0, "the connection's streams are freed");
    }

    // Each message holds the frames of the streams whose turn it is ((t + s) % 3 != 0: every stream
    // misses some messages), in an order that changes; every answer is checked against a session per stream.
    private static async Task RunConnectionAsync(TestServer server, RecurrentNetwork network, int connection, int streams, int messages, CancellationToken timeout)
    {
        NetworkDescription d = network.Description;
        var random = new Random(connection);
        var sessions = new StreamingSession[streams];
        for (int s = 0; s < streams; s++)
        {
            sessions[s] = network.CreateSession();
        }

        (ClientWebSocket socket, _) = await ServerFixture.ConnectAsync(server.Multiplex, timeout);
        using (socket)
        {
            float[] expected = new float[d.OutputSize];
            for (int t = 0; t < messages; t++)
            {
                var records = new List<(uint Id, float[] Frame)>();
                for (int k = 0; k < streams; k++)
                {
                    int s = (k + t) % streams;
                    if ((t + s) % 3 != 0)
                    {
                        records.Add(((uint)(1000 + (s * 7)), ServingFixtures.RandomFloats(random, d.InputSize)));
                    }
                }

                await MultiplexClient.SendAsync(socket, records, timeout);
                List<(uint Id, float[] Output)> answer = await MultiplexClient.ReceiveAsync(socket, d.OutputSize, timeout);
                Assert.Equal(records.ConvertAll(r => r.Id), answer.ConvertAll(r => r.Id));
                for (int i = 0; i < records.Count; i++)
                {
                    int s = (int)(records[i].Id - 1000) / 7;
                    sessions[s].Step(records[i].Frame, 1, expected);
                    ServingFixtures.AssertBitIdentical(expected, answer[i].Output, $"connection {connection}, stream {s}, message {t}");
                }
            }

            await ServerFixture.CloseAsync(socket, timeout);
        }
    }

    private static float[] FirstStep(RecurrentNetwork network, float[] frame)
    {
        float[] output = new float[network.Description.OutputSize];
        network.CreateSession().Step(frame, 1, output);
        return output;
    }
}

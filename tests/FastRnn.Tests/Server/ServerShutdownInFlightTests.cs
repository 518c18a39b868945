using System;
using System.Diagnostics;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
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
/// Shutdown while a frame is being stepped: the frame's answer goes out before the 1001, so a
/// graceful stop loses no answer to a frame the server took; and a client that stops reading still
/// cannot hold the stop up for long.
/// </summary>
public sealed class ServerShutdownInFlightTests
{
    [Fact]
    public async Task AShutdownDuringAStepSendsItsAnswerBeforeThe1001()
    {
        CancellationToken timeout = ServerFixture.Timeout();

        // A lone frame waits MaxQueueDelay (1 s) for a fuller batch: the stop begins while it is in flight.
        var options = new ServerOptions { ModelPath = ServerFixture.LstmPath, MaxBatch = 4, MaxQueueDelayMicroseconds = 1_000_000 };
        TestServer server = await TestServer.StartAsync(options, timeout);
        await using (server)
        {
            (ClientWebSocket socket, _) = await ServerFixture.ConnectAsync(server, timeout);
            using (socket)
            {
                float[] frame = [0.5f, -1, 0.25f, 2, 0];
                await ServerFixture.SendAsync(socket, frame, timeout);
                await Task.Delay(400, timeout); // received and queued, still waiting for its batch
                Task stopping = server.App.StopAsync(timeout);

                (WebSocketMessageType type, byte[] bytes) = await ServerFixture.ReceiveAsync(socket, timeout);
                Assert.True(type == WebSocketMessageType.Binary, $"expected the answer to the frame in flight (68 bytes) before the close, got {type} (close {socket.CloseStatus} '{socket.CloseStatusDescription}')");
                RecurrentNetwork network = NetworkFile.Load(ServerFixture.LstmPath);
                using StreamingSession session = network.CreateSession();
                float[] expected = new float[network.Description.OutputSize];
                session.Step(frame, 1, expected);
                ServingFixtures.AssertBitIdentical(expected, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray(), "the answer sent during shutdown");

                await ServerFixture.ExpectCloseAsync(socket, WebSocketCloseStatus.EndpointUnavailable, "server shutting down", timeout);
                await stopping;
            }
        }
    }

    [Fact]
    public async Task AClientThatStopsReadingMidAnswerDoesNotHoldTheStopUp()
    {
        // Guard for the above: waiting for the answer in flight must not wait for a client that never
        // reads it. A raw client (a ClientWebSocket aborts itself when a send is cancelled) with a small
        // receive window sends frames and reads nothing, so the server's answers back up until its send waits.
        CancellationToken timeout = ServerFixture.Timeout(40);
        TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath, IdleTimeoutSeconds = 0, MaxQueueDelayMicroseconds = 0 }, timeout);
        await using (server)
        {
            using var tcp = new TcpClient { ReceiveBufferSize = 4096 };
            await tcp.ConnectAsync(server.Http.Host, server.Http.Port, timeout);
            NetworkStream net = tcp.GetStream();
            string upgrade = $"GET /v1/stream HTTP/1.1\r\nHost: {server.Http.Authority}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {Convert.ToBase64String(new byte[16])}\r\n\r\n";
            await net.WriteAsync(Encoding.ASCII.GetBytes(upgrade), timeout);
            byte[] head = new byte[1024];
            int read = await net.ReadAsync(head, timeout);
            Assert.StartsWith("HTTP/1.1 101", Encoding.ASCII.GetString(head, 0, read), StringComparison.Ordinal);

            // 64 masked binary messages of 20 zero bytes (a zero mask) per write.
            byte[] frames = new byte[64 * 26];
            for (int i = 0; i < 64; i++)
            {
                frames[26 * i] = 0x82;
                frames[(26 * i) + 1] = 0x80 | 20;
            }

            long sent = 0;
            var flooding = Stopwatch.StartNew();
            Task<bool> blocked = Task.Run(async () =>
            {
                while (flooding.Elapsed < TimeSpan.FromSeconds(15))
                {
                    Task write = net.WriteAsync(frames, CancellationToken.None).AsTask();
                    if (await Task.WhenAny(write, Task.Delay(1000, CancellationToken.None)) != write)
                    {
                        return true; // the server no longer reads: it waits to send an answer
                    }

                    await write;
                    sent += 64;
                }

                return false;
            }, timeout);
            Assert.True(await blocked, $"expected the server to stop reading within 15 s of a client that does not read, after {sent} frames");

            var stop = Stopwatch.StartNew();
            await server.App.StopAsync(timeout);
            Assert.True(stop.Elapsed < TimeSpan.FromSeconds(8), $"expected the stop within 8 s with a client that does not read ({sent} frames sent), took {stop.Elapsed}");
        }
    }
}

using System;
using System.Linq;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.Heads;
using FastRnn.IO;
using FastRnn.Kernels;
using FastRnn.Networks;
using FastRnn.Server;
using FastRnn.Sessions;
using FastRnn.Tests.Serving;
using Xunit;

namespace FastRnn.Tests.Server;

/// <summary>
/// Frames through real WebSocket connections on 127.0.0.1: every answer bit-identical to one
/// <see cref="StreamingSession"/> (and the head) per stream, in order, with nothing lost, for many
/// concurrent streams; a NaN frame poisons only its own stream.
/// </summary>
public sealed class ServerStreamTests
{
    [Fact]
    public async Task FiftyConcurrentStreamsOfTwoHundredFramesAreAnsweredInOrderBitForBit()
    {
        const int Streams = 50, Frames = 200;
        CancellationToken timeout = ServerFixture.Timeout(30);
        await ServerTestsShared.RunConcurrentClientsAsync(
            Streams, (server, network, stream) => RunStreamAsync(server, network, null, stream, Frames, timeout), timeout);
    }

    [Fact]
    public async Task AModuleWithAHeadAnswersWithTheHeadsOutput()
    {
        CancellationToken timeout = ServerFixture.Timeout();
        var options = new ServerOptions { ModelPath = ServerFixture.ModulePath, RnnPrefix = "rnn.", HeadPrefix = "head.", HeadActivation = HeadActivation.Softmax };
        await using TestServer server = await TestServer.StartAsync(options, timeout);
        LoadedModule module = ModuleFile.Load(ServerFixture.ModulePath, new ModuleLoadOptions { RnnPrefix = "rnn.", HeadPrefix = "head.", HeadActivation = HeadActivation.Softmax });
        Task[] clients = [RunStreamAsync(server, module.Network, module.Head, 0, 30, timeout), RunStreamAsync(server, module.Network, module.Head, 1, 30, timeout), RunStreamAsync(server, module.Network, module.Head, 2, 30, timeout)];
        await Task.WhenAll(clients);
        (ClientWebSocket socket, JsonElement hello) = await ServerFixture.ConnectAsync(server, timeout);
        using (socket)
        {
            Assert.Equal(12, hello.GetProperty("input_size").GetInt32());
            Assert.Equal(5, hello.GetProperty("output_size").GetInt32());
            Assert.Equal(32, hello.GetProperty("hidden_size").GetInt32());
            Assert.Equal(2, hello.GetProperty("layers").GetInt32());
            await ServerFixture.CloseAsync(socket, timeout);
        }
    }

    [Fact]
    public async Task TheHelloNamesTheSizesAndTheServer()
    {
        CancellationToken timeout = ServerFixture.Timeout();
        await using TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath, MaxBatch = 7, Weights = WeightFormat.BFloat16 }, timeout);
        (ClientWebSocket socket, JsonElement hello) = await ServerFixture.ConnectAsync(server, timeout);
        using (socket)
        {
            Assert.Equal(5, hello.GetProperty("input_size").GetInt32());
            Assert.Equal(17, hello.GetProperty("output_size").GetInt32());
            Assert.Equal("Lstm", hello.GetProperty("cell").GetString());
            Assert.Equal(17, hello.GetProperty("hidden_size").GetInt32());
            Assert.Equal(2, hello.GetProperty("layers").GetInt32());
            Assert.Equal("bf16", hello.GetProperty("weights").GetString());
            Assert.Equal(Isa.Active.ToString(), hello.GetProperty("isa").GetString());
            Assert.Equal(7, hello.GetProperty("max_batch").GetInt32());
            Assert.Equal(8, hello.EnumerateObject().Count());
            await ServerFixture.CloseAsync(socket, timeout);
        }
    }

    [Fact]
    public async Task ANonFiniteFrameMakesOnlyItsOwnStreamNaN()
    {
        CancellationToken timeout = ServerFixture.Timeout();
        await using TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath, MaxQueueDelayMicroseconds = 2000 }, timeout);
        RecurrentNetwork network = NetworkFile.Load(ServerFixture.LstmPath);
        (ClientWebSocket poisoned, _) = await ServerFixture.ConnectAsync(server, timeout);
        using (poisoned)
        {
            // The healthy stream runs alongside, so its frames share batches with the NaN ones.
            Task healthy = RunStreamAsync(server, network, null, 7, 40, timeout);
            float[] frame = [1, float.NaN, 0, 0, 0];
            for (int t = 0; t < 40; t++)
            {
                frame[1] = t == 0 ? float.NaN : 0.5f;
                await ServerFixture.SendAsync(poisoned, frame, timeout);
                float[] answer = await ServerFixture.ReceiveFloatsAsync(poisoned, timeout);
                Assert.True(Array.TrueForAll(answer, float.IsNaN), $"step {t}: a NaN state stays NaN, got [{string.Join(", ", answer)}]");
            }

            await healthy;
            await ServerFixture.CloseAsync(poisoned, timeout);
        }
    }

    /// <summary>Connects, sends every frame from one task while another reads the answers, checks each against a session (and head) of its own, closes.</summary>
    internal static async Task RunStreamAsync(TestServer server, RecurrentNetwork network, DenseHead? head, int seed, int frames, CancellationToken timeout)
    {
        NetworkDescription d = network.Description;
        float[] inputs = ServingFixtures.RandomFloats(new Random(seed), frames * d.InputSize);
        (ClientWebSocket socket, JsonElement hello) = await ServerFixture.ConnectAsync(server, timeout);
        using (socket)
        {
            int outputs = hello.GetProperty("output_size").GetInt32();
            Assert.Equal(head?.OutputSize ?? d.OutputSize, outputs);
            Task sender = Task.Run(async () =>
            {
                for (int t = 0; t < frames; t++)
                {
                    await ServerFixture.SendAsync(socket, inputs.AsSpan(t * d.InputSize, d.InputSize).ToArray(), timeout);
                }
            }, timeout);
            StreamingSession session = network.CreateSession();
            float[] state = new float[d.OutputSize], expected = new float[outputs];
            for (int t = 0; t < frames; t++)
            {
                float[] answer = await ServerFixture.ReceiveFloatsAsync(socket, timeout);
                session.Step(inputs.AsSpan(t * d.InputSize, d.InputSize), 1, state);
                if (head is null)
                {
                    state.CopyTo(expected, 0);
                }
                else
                {
                    head.Apply(state, 1, expected);
                }

                ServingFixtures.AssertBitIdentical(expected, answer, $"stream {seed}, frame {t}");
            }

            await sender;
            await ServerFixture.CloseAsync(socket, timeout);
        }
    }
}

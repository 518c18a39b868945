using System;
using System.IO;
using System.Linq;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.Diagnostics;
using FastRnn.IO;
using FastRnn.Kernels;
using FastRnn.Networks;
using FastRnn.Server;
using FastRnn.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace FastRnn.Tests.Server;

/// <summary>
/// A service started in-process on 127.0.0.1 with a port the system picks, and stopped (bounded)
/// when disposed. Its self-check is a stand-in that passes at once unless a test gives its own.
/// </summary>
internal sealed class TestServer : IAsyncDisposable
{
    private TestServer(WebApplication app)
    {
        App = app;
        Http = new Uri(app.Urls.Single());
        Stream = new Uri($"ws://{Http.Authority}/v1/stream");
        Multiplex = new Uri($"ws://{Http.Authority}/v1/streams");
        Batcher = app.Services.GetRequiredService<StreamBatcher>();
    }

    public WebApplication App { get; }

    public Uri Http { get; }

    public Uri Stream { get; }

    /// <summary>The many-streams-a-connection endpoint, /v1/streams.</summary>
    public Uri Multiplex { get; }

    public StreamBatcher Batcher { get; }

    public static SelfCheckReport PassingSelfCheck() => new(Isa.Active, [new SelfCheckRow("stand-in", Isa.Active, "-", 0, 1)]);

    public static async Task<TestServer> StartAsync(ServerOptions options, CancellationToken cancellationToken, Action<ILoggingBuilder>? logging = null)
    {
        if (options.SelfCheckRunner == (Func<SelfCheckReport>)SelfCheck.Run)
        {
            options = options with { SelfCheckRunner = PassingSelfCheck };
        }

        WebApplication app = ServerHost.Build(options with { Urls = "http://127.0.0.1:0" }, b =>
        {
            b.Logging.ClearProviders();
            logging?.Invoke(b.Logging);
        });
        await app.StartAsync(cancellationToken);
        return new TestServer(app);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await App.StopAsync(timeout.Token);
        await App.DisposeAsync();
    }

    /// <summary>Polls until <paramref name="condition"/> holds, at most 10 s.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}

/// <summary>Model files written once per process, and the client side of the protocol.</summary>
internal static class ServerFixture
{
    private static readonly Lazy<string> Directory = new(() =>
    {
        string path = System.IO.Directory.CreateTempSubdirectory("fastrnn-server-tests-").FullName;

        // Servers started from these files are stopped by their tests; the files go with the process.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                System.IO.Directory.Delete(path, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return path;
    });

    private static readonly Lazy<string> Lstm = new(() => Save("lstm.safetensors", RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, 5, 17) { NumLayers = 2 }, 42)));

    /// <summary>A 2-layer LSTM, input 5, hidden 17, as a FastRnn network file.</summary>
    public static string LstmPath => Lstm.Value;

    private static readonly Lazy<string> Scalar = new(() => Save("scalar.safetensors", RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Gru, 1, 8), 7)));

    /// <summary>A 1-layer GRU, input 1 (one float a frame, as from one sensor), hidden 8.</summary>
    public static string ScalarPath => Scalar.Value;

    private static string Save(string name, RecurrentNetwork network)
    {
        string path = Path.Combine(Directory.Value, name);
        NetworkFile.Save(network, path);
        return path;
    }

    public static string ModulePath => Path.Combine(AppContext.BaseDirectory, "Conformance", "modules", "lstm_l2_head_softmax.model.safetensors");

    public static CancellationToken Timeout(int seconds = 20)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        source.CancelAfter(TimeSpan.FromSeconds(seconds));
        return source.Token;
    }

    public static Task<(ClientWebSocket Socket, JsonElement Hello)> ConnectAsync(TestServer server, CancellationToken cancellationToken) =>
        ConnectAsync(server.Stream, cancellationToken);

    public static async Task<(ClientWebSocket Socket, JsonElement Hello)> ConnectAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(endpoint, cancellationToken);
        (WebSocketMessageType type, byte[] bytes) = await ReceiveAsync(socket, cancellationToken);
        Assert.True(type == WebSocketMessageType.Text, $"expected the hello as a text message, got {type} (close {socket.CloseStatus} '{socket.CloseStatusDescription}')");
        using JsonDocument hello = JsonDocument.Parse(bytes);
        return (socket, hello.RootElement.Clone());
    }

    /// <summary>One whole message (all its fragments); for a close, its type and no bytes.</summary>
    public static async Task<(WebSocketMessageType Type, byte[] Bytes)> ReceiveAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        using var message = new MemoryStream();
        byte[] buffer = new byte[1024];
        while (true)
        {
            WebSocketReceiveResult result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (WebSocketMessageType.Close, []);
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, message.ToArray());
            }
        }
    }

    public static Task SendAsync(WebSocket socket, float[] values, CancellationToken cancellationToken) =>
        socket.SendAsync(MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), WebSocketMessageType.Binary, true, cancellationToken);

    public static async Task<float[]> ReceiveFloatsAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        (WebSocketMessageType type, byte[] bytes) = await ReceiveAsync(socket, cancellationToken);
        Assert.True(type == WebSocketMessageType.Binary, $"expected a binary answer, got {type} (close {socket.CloseStatus} '{socket.CloseStatusDescription}')");
        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    /// <summary>The next message is the server's close with this status and a reason containing the text; answers it.</summary>
    public static async Task ExpectCloseAsync(WebSocket socket, WebSocketCloseStatus status, string reason, CancellationToken cancellationToken)
    {
        (WebSocketMessageType type, _) = await ReceiveAsync(socket, cancellationToken);
        Assert.Equal(WebSocketMessageType.Close, type);
        Assert.Equal(status, socket.CloseStatus);
        Assert.Contains(reason, socket.CloseStatusDescription, StringComparison.Ordinal);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
    }

    public static async Task CloseAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cancellationToken);
        Assert.Equal(WebSocketState.Closed, socket.State);
    }
}

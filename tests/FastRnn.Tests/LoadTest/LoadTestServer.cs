using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.Kernels;
using FastRnn.Networks;
using FastRnn.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FastRnn.Tests.LoadTest;

/// <summary>
/// A tiny server speaking the streaming protocol on http://127.0.0.1:(free port)/v1/stream, one
/// <see cref="StreamingSession"/> per connection: the JSON hello, then one binary answer of 4·O bytes
/// per binary frame of 4·I bytes; 1007 for a frame of another length, 1003 for text, 1013 for every
/// connection after the first <c>maxStreams</c> (counted over the server's life, not as open streams:
/// a stream that ends early must not let a later one in, or a test's count would depend on timing).
/// With <c>answer</c> false it reads frames and never answers; with <c>answerClose</c> false it
/// answers frames but never answers the client's close (it holds the connection until it stops).
/// Its <c>/v1/streams</c> answers each message of n records (id + I floats) with n records (the
/// same ids, O zeros each), or wrongly as <see cref="MultiplexReply"/> says, and counts connections
/// and records.
/// </summary>
internal sealed class LoadTestServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly RecurrentNetwork network;
    private readonly int maxStreams;
    private readonly bool answer;
    private readonly bool answerClose;
    private readonly MultiplexReply reply;
    private int accepted;
    private int multiplexConnections;
    private long multiplexRecords;

    private LoadTestServer(RecurrentNetwork network, int maxStreams, bool answer, bool answerClose, MultiplexReply reply)
    {
        this.reply = reply;
        this.network = network;
        this.maxStreams = maxStreams;
        this.answer = answer;
        this.answerClose = answerClose;
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        app = builder.Build();
        app.UseWebSockets();
        app.Map("/v1/stream", ServeAsync);
        app.Map("/v1/streams", ServeMultiplexAsync);
    }

    /// <summary>How <c>/v1/streams</c> answers a message.</summary>
    public enum MultiplexReply
    {
        /// <summary>As the protocol says.</summary>
        Right,

        /// <summary><c>{"expired":[first id]}</c>, then the answer without that id's record.</summary>
        Expired,

        /// <summary>The records in the reverse of the request's order.</summary>
        Reversed,

        /// <summary>One record short.</summary>
        Short,
    }

    /// <summary>Connections <c>/v1/streams</c> has accepted.</summary>
    public int MultiplexConnections => Volatile.Read(ref multiplexConnections);

    /// <summary>Records <c>/v1/streams</c> has received.</summary>
    public long MultiplexRecords => Interlocked.Read(ref multiplexRecords);

    /// <summary>The base address, e.g. http://127.0.0.1:40123.</summary>
    public string BaseAddress => app.Urls.First();

    public static async Task<LoadTestServer> StartAsync(RecurrentNetwork network, int maxStreams = int.MaxValue, bool answer = true, bool answerClose = true, MultiplexReply reply = MultiplexReply.Right)
    {
        var server = new LoadTestServer(network, maxStreams, answer, answerClose, reply);
        await server.app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task ServeAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        CancellationToken stopping = app.Lifetime.ApplicationStopping;
        using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
        try
        {
            if (Interlocked.Increment(ref accepted) > maxStreams)
            {
                await socket.CloseAsync((WebSocketCloseStatus)1013, $"server full: {maxStreams} streams open", stopping);
                return;
            }

            await ServeStreamAsync(socket, stopping);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The client went away (a timed-out load test aborts its sockets).
        }
    }

    private Task SendHelloAsync(WebSocket socket, CancellationToken stopping)
    {
        NetworkDescription d = network.Description;
        string hello = $"{{\"input_size\":{d.InputSize},\"output_size\":{d.StateSize},\"cell\":\"{d.Kind}\",\"hidden_size\":{d.HiddenSize},\"layers\":{d.NumLayers},\"weights\":\"fp32\",\"isa\":\"{Isa.Active}\",\"max_batch\":64}}";
        return socket.SendAsync(Encoding.UTF8.GetBytes(hello).AsMemory(), WebSocketMessageType.Text, true, stopping).AsTask();
    }

    private async Task ServeMultiplexAsync(HttpContext context)
    {
        CancellationToken stopping = app.Lifetime.ApplicationStopping;
        using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
        Interlocked.Increment(ref multiplexConnections);
        NetworkDescription d = network.Description;
        int inputRecord = 4 + (4 * d.InputSize), outputRecord = 4 + (4 * d.StateSize);
        byte[] message = new byte[1 << 20], answer = new byte[(message.Length / inputRecord) * outputRecord];
        try
        {
            await SendHelloAsync(socket, stopping);
            while (true)
            {
                int length = 0;
                ValueWebSocketReceiveResult r;
                do
                {
                    r = await socket.ReceiveAsync(message.AsMemory(length), stopping);
                    length += r.Count;
                }
                while (!r.EndOfMessage);

                if (r.MessageType != WebSocketMessageType.Binary)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, stopping);
                    return;
                }

                int n = length / inputRecord, first = 0;
                Interlocked.Add(ref multiplexRecords, n);
                if (reply == MultiplexReply.Expired)
                {
                    string expired = $"{{\"expired\":[{BinaryPrimitives.ReadUInt32LittleEndian(message)}]}}";
                    await socket.SendAsync(Encoding.UTF8.GetBytes(expired).AsMemory(), WebSocketMessageType.Text, true, stopping);
                    first = 1;
                }

                int records = reply == MultiplexReply.Short ? n - 1 : n - first;
                for (int j = 0; j < records; j++)
                {
                    int from = reply == MultiplexReply.Reversed ? n - 1 - j : first + j;
                    message.AsSpan(from * inputRecord, 4).CopyTo(answer.AsSpan(j * outputRecord));
                }

                await socket.SendAsync(answer.AsMemory(0, records * outputRecord), WebSocketMessageType.Binary, true, stopping);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The client went away.
        }
    }

    private async Task ServeStreamAsync(WebSocket socket, CancellationToken stopping)
    {
        NetworkDescription d = network.Description;
        await SendHelloAsync(socket, stopping);
        StreamingSession session = network.CreateSession();
        byte[] frame = new byte[(4 * d.InputSize) + 1], reply = new byte[4 * d.StateSize];
        float[] x = new float[d.InputSize], y = new float[d.StateSize];
        while (true)
        {
            int length = 0;
            ValueWebSocketReceiveResult r;
            do
            {
                r = await socket.ReceiveAsync(frame.AsMemory(length), stopping);
                length += r.Count;
            }
            while (!r.EndOfMessage && length < frame.Length);

            if (r.MessageType == WebSocketMessageType.Close)
            {
                if (!answerClose)
                {
                    await Task.Delay(Timeout.Infinite, stopping);
                }

                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, stopping);
                return;
            }

            if (r.MessageType == WebSocketMessageType.Text)
            {
                await socket.CloseAsync(WebSocketCloseStatus.InvalidMessageType, "text after the hello", stopping);
                return;
            }

            if (!r.EndOfMessage || length != 4 * d.InputSize)
            {
                await socket.CloseAsync(WebSocketCloseStatus.InvalidPayloadData, $"a frame is {4 * d.InputSize} bytes", stopping);
                return;
            }

            if (!answer)
            {
                continue;
            }

            for (int i = 0; i < x.Length; i++)
            {
                x[i] = BinaryPrimitives.ReadSingleLittleEndian(frame.AsSpan(4 * i));
            }

            session.Step(x, 1, y);
            for (int i = 0; i < y.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(reply.AsSpan(4 * i), y[i]);
            }

            await socket.SendAsync(reply.AsMemory(), WebSocketMessageType.Binary, true, stopping);
        }
    }
}

using System;
using System.IO;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.Serving;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FastRnn.Server;

/// <summary>
/// The WebSocket endpoints. GET /v1/stream: upgrades, opens one stream of the batcher for the
/// connection (or closes at once with 1013 when every slot is taken, 1001 when the server is
/// stopping) and runs its <see cref="StreamConnection"/>. GET /v1/streams: upgrades and runs a
/// <see cref="MultiplexConnection"/>, many streams on one connection. Either way the connection's
/// streams are freed however it ends.
/// </summary>
internal sealed class StreamEndpoint(StreamBatcher batcher, ConnectionRegistry registry, byte[] hello, ILogger logger)
{
    /// <summary>WebSocket status 1013, Try Again Later (RFC 6455 registry); .NET's enum has no name for it.</summary>
    public const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;

    private static readonly TimeSpan RefusalGrace = TimeSpan.FromSeconds(2);
    private long nextId;

    /// <summary>GET /v1/stream: one stream a connection (<see cref="StreamConnection"/>), opened with the connection.</summary>
    public Task HandleAsync(HttpContext context) => HandleAsync(context, multiplexed: false);

    /// <summary>GET /v1/streams: messages carry frames of many streams (<see cref="MultiplexConnection"/>); its streams open with their first frames.</summary>
    public Task HandleMultiplexAsync(HttpContext context) => HandleAsync(context, multiplexed: true);

    private async Task HandleAsync(HttpContext context, bool multiplexed)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await RefuseRequestAsync(context);
            return;
        }

        long id = Interlocked.Increment(ref nextId);
        using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
        if (registry.IsStopping)
        {
            await RefuseAsync(socket, id, WebSocketCloseStatus.EndpointUnavailable, "server shutting down", "shutting_down");
            return;
        }

        if (multiplexed)
        {
            using var streams = new MultiplexConnection(id, socket, batcher, logger);
            await RunAsync(streams, context);
            return;
        }

        StreamHandle handle;
        try
        {
            handle = batcher.Open();
        }
        catch (ObjectDisposedException)
        {
            await RefuseAsync(socket, id, WebSocketCloseStatus.EndpointUnavailable, "server shutting down", "shutting_down");
            return;
        }
        catch (InvalidOperationException)
        {
            await RefuseAsync(socket, id, TryAgainLater, $"server full: {batcher.OpenStreams} streams open", "full");
            return;
        }

        using var connection = new StreamConnection(id, socket, batcher, handle, logger);
        ServerLog.Opened(logger, id, handle.ToString());
        await RunAsync(connection, context);
    }

    // Runs an accepted connection to its end and frees its streams however it ends.
    private async Task RunAsync(WebSocketConnection connection, HttpContext context)
    {
        ServerMetrics.ConnectionsOpened.Add(1);
        string reason = "aborted";
        try
        {
            if (!registry.TryAdd(connection))
            {
                connection.BeginShutdown(); // shutdown began between the check above and now
            }

            reason = await connection.RunAsync(hello, context.RequestAborted);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            reason = connection.EndReason ?? "aborted"; // the client vanished, or did not answer the server's close
        }
        finally
        {
            registry.Remove(connection.Id);
            try
            {
                connection.CloseStreams();
            }
            catch (ObjectDisposedException)
            {
                // The batcher was disposed at shutdown: the slots went with it.
            }

            ServerMetrics.Add(ServerMetrics.ConnectionsClosed, reason);
            ServerLog.Ended(logger, connection.Id, reason, connection.Frames);
        }
    }

    // Not a WebSocket upgrade: says which part is wrong, with the status RFC 9110 and RFC 6455 give it.
    private static Task RefuseRequestAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        HttpResponse response = context.Response;
        string message;
        if (!HttpMethods.IsGet(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "GET";
            message = $"{request.Path} takes GET with a WebSocket upgrade, not {request.Method}.";
        }
        else if (request.Headers.TryGetValue("Sec-WebSocket-Version", out var version) && version.ToString() != "13")
        {
            response.StatusCode = StatusCodes.Status426UpgradeRequired;
            response.Headers["Sec-WebSocket-Version"] = "13";
            message = $"Sec-WebSocket-Version {version} is not supported; this server speaks 13 (RFC 6455).";
        }
        else
        {
            response.StatusCode = StatusCodes.Status400BadRequest;
            message = $"GET {request.Path} expects a WebSocket upgrade: Connection: Upgrade, Upgrade: websocket, Sec-WebSocket-Version: 13 and a Sec-WebSocket-Key of 16 bytes in base64.";
        }

        return HttpMethods.IsHead(request.Method) ? Task.CompletedTask : response.WriteAsync(message, context.RequestAborted);
    }

    private async Task RefuseAsync(WebSocket socket, long id, WebSocketCloseStatus status, string reason, string metric)
    {
        ServerMetrics.Add(ServerMetrics.ConnectionsRefused, metric);
        ServerLog.Refused(logger, id, reason);
        try
        {
            // Waits for the client's close so it reads ours before the connection ends; bounded.
            using var timeout = new CancellationTokenSource(RefusalGrace);
            await socket.CloseAsync(status, reason, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            socket.Abort();
        }
    }
}

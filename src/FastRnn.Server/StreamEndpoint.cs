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
/// GET /v1/stream: upgrades to a WebSocket, opens one stream of the batcher for it (or closes at
/// once with 1013 when every slot is taken, 1001 when the server is stopping), runs its
/// <see cref="StreamConnection"/> and frees the slot however the connection ends.
/// </summary>
internal sealed class StreamEndpoint(StreamBatcher batcher, ConnectionRegistry registry, byte[] hello, ILogger logger)
{
    /// <summary>WebSocket status 1013, Try Again Later (RFC 6455 registry); .NET's enum has no name for it.</summary>
    public const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;

    private static readonly TimeSpan RefusalGrace = TimeSpan.FromSeconds(2);
    private long nextId;

    public async Task HandleAsync(HttpContext context)
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
        ServerMetrics.ConnectionsOpened.Add(1);
        ServerLog.Opened(logger, id, handle.ToString());
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
            registry.Remove(id);
            try
            {
                batcher.Close(handle);
            }
            catch (ObjectDisposedException)
            {
                // The batcher was disposed at shutdown: the slot went with it.
            }

            ServerMetrics.Add(ServerMetrics.ConnectionsClosed, reason);
            ServerLog.Ended(logger, id, reason, connection.Frames);
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
            message = $"/v1/stream takes GET with a WebSocket upgrade, not {request.Method}.";
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
            message = "GET /v1/stream expects a WebSocket upgrade: Connection: Upgrade, Upgrade: websocket, Sec-WebSocket-Version: 13 and a Sec-WebSocket-Key of 16 bytes in base64.";
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

using System;
using System.Threading;
using FastRnn.Kernels;
using FastRnn.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FastRnn.Server;

/// <summary>
/// Builds the service: loads the model, creates the <see cref="StreamBatcher"/>, and maps
/// <c>GET /v1/stream</c> (the WebSocket protocol, one stream a connection), <c>GET /v1/streams</c>
/// (many streams a connection) and <c>GET /healthz</c>. The command line runs
/// what this returns; a test starts it in-process.
/// </summary>
public static class ServerHost
{
    /// <summary>Builds the application, not started yet.</summary>
    /// <param name="options">The model and limits.</param>
    /// <param name="configure">Changes to the builder before it builds (e.g. logging), or null.</param>
    /// <returns>The application; <c>RunAsync</c> or <c>StartAsync</c> it. Stopping it closes every stream with 1001 and disposes the batcher.</returns>
    /// <exception cref="ServerOptionsException">An option is out of range, or the model cannot be loaded or served (the message says why).</exception>
    public static WebApplication Build(ServerOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ServedModel model = ServedModel.Load(options);
        StreamBatcher batcher = CreateBatcher(model, options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        if (options.Urls is not null)
        {
            builder.WebHost.UseUrls(options.Urls);
        }

        // Streams get 2 s to send the answer in flight and 2 s to answer the 1001; the rest is margin before the host gives up on them.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton(batcher);

        // As the web templates' appsettings.json: the framework's per-request lines would log every connection twice.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        configure?.Invoke(builder);
        WebApplication app = builder.Build();
        ILogger logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("FastRnn.Server");
        var registry = new ConnectionRegistry();
        var health = new HealthEndpoint(model, batcher, logger);
        var streams = new StreamEndpoint(batcher, registry, model.Hello(EffectiveMaxBatch(options)), logger);
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.Map("/v1/stream", new RequestDelegate(streams.HandleAsync));
        app.Map("/v1/streams", new RequestDelegate(streams.HandleMultiplexAsync));
        app.MapMethods("/healthz", ["GET", "HEAD"], new RequestDelegate(health.HandleAsync)); // load balancers probe with either
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            NetworkDescriptionLog(logger, model, options, string.Join(' ', app.Urls));
            health.Start(options.SelfCheckRunner, TimeSpan.FromMilliseconds(options.WarmUpMilliseconds));
        });
        Timer? idleSweep = IdleSweep(registry, batcher.Options.IdleTimeout);
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            idleSweep?.Dispose();
            ServerLog.ShuttingDown(logger, registry.CloseAll());
        });
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            batcher.Dispose(); // after the server has let every request end: the steps in flight are done
            ServerLog.Stopped(logger);
        });
        return app;
    }

    // A client idle past the timeout is closed within a quarter of it (at least 0.1 s, at most 1 s
    // late), so sockets stay bounded by the streams, not by how many clients connect and wait.
    private static Timer? IdleSweep(ConnectionRegistry registry, TimeSpan idleTimeout)
    {
        if (idleTimeout == Timeout.InfiniteTimeSpan)
        {
            return null;
        }

        long idleTicks = (long)(idleTimeout.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        TimeSpan period = TimeSpan.FromTicks(Math.Clamp(idleTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 100, TimeSpan.TicksPerSecond));
        return new Timer(_ => registry.CloseIdle(idleTicks), null, period, period);
    }

    private static StreamBatcher CreateBatcher(ServedModel model, ServerOptions options)
    {
        try
        {
            return new StreamBatcher(model.Network, new StreamBatcherOptions
            {
                MaxStreams = options.MaxStreams,
                MaxBatch = options.MaxBatch,
                MaxQueueDelay = TimeSpan.FromMicroseconds(options.MaxQueueDelayMicroseconds),
                IdleTimeout = options.IdleTimeoutSeconds == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(options.IdleTimeoutSeconds),
                Threads = options.Threads,
                Head = model.Head,
            });
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new ServerOptionsException($"--model {options.ModelPath} cannot be served: {e.Message}", e);
        }
    }

    // The batch the batcher steps: it never batches more streams than it has slots.
    private static int EffectiveMaxBatch(ServerOptions options) => Math.Min(options.MaxBatch, options.MaxStreams);

    private static void NetworkDescriptionLog(ILogger logger, ServedModel model, ServerOptions options, string urls)
    {
        NetworkDescription d = model.Description;
        ServerLog.Started(logger, model.Source, d.Kind.ToString(), d.InputSize, d.HiddenSize, d.NumLayers, model.OutputSize,
            model.Head is null ? "no head" : $"head {model.Head.Activation}", model.WeightsName, Isa.Active.ToString(),
            options.MaxStreams, EffectiveMaxBatch(options), options.MaxQueueDelayMicroseconds, options.IdleTimeoutSeconds, options.Threads, urls);
    }
}

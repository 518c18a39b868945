using System;
using System.Buffers;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.Diagnostics;
using FastRnn.Serving;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FastRnn.Server;

/// <summary>
/// GET /healthz: 503 "self-check running" until the start-up self-check (run once, in the
/// background) is done, 503 "warming up" while the batcher's throwaway steps run (so a load balancer
/// sends the first clients only once the step's code is optimised), then 200 with the ISA path, the check's counts, the model's sizes and the
/// open streams, or 503 with the same body if a check failed.
/// </summary>
internal sealed class HealthEndpoint(ServedModel model, StreamBatcher batcher, ILogger logger)
{
    private SelfCheckReport? report;
    private Exception? crash;
    private volatile bool warm;

    /// <summary>Starts the self-check, then the warm-up, on a thread-pool thread; returns at once.</summary>
    public void Start(Func<SelfCheckReport> run, TimeSpan warmUp) => _ = Task.Run(() =>
    {
        try
        {
            SelfCheckReport done = run();
            int failed = done.Rows.Count(r => !r.Passed);
            ServerLog.SelfCheckDone(logger, done.ActivePath.ToString(), done.Rows.Count - failed, failed);
            Volatile.Write(ref report, done);
            long began = System.Diagnostics.Stopwatch.GetTimestamp();
            int steps = batcher.WarmUp(warmUp);
            ServerLog.WarmedUp(logger, steps, System.Diagnostics.Stopwatch.GetElapsedTime(began).TotalMilliseconds);
            warm = true;
        }
        catch (ObjectDisposedException)
        {
            // Stopped before the warm-up ended.
        }
#pragma warning disable CA1031 // Any failure of the check is the answer /healthz gives: unhealthy.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ServerLog.SelfCheckCrashed(logger, e);
            Volatile.Write(ref crash, e);
        }
    });

    public async Task HandleAsync(HttpContext context)
    {
        SelfCheckReport? done = Volatile.Read(ref report);
        Exception? failure = Volatile.Read(ref crash);
        if (done is null && failure is null)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("self-check running", context.RequestAborted);
            return;
        }

        if (failure is null && done!.AllPassed && !warm)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("warming up", context.RequestAborted);
            return;
        }

        int failed = done?.Rows.Count(r => !r.Passed) ?? 1, passed = done is null ? 0 : done.Rows.Count - failed;
        bool healthy = done is not null && done.AllPassed;
        batcher.CloseIdleStreams(); // so open_streams does not count streams already past their idle timeout
        var body = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteString("status", healthy ? "ok" : "failed");
            json.WriteString("isa", (done?.ActivePath ?? FastRnn.Kernels.Isa.Active).ToString());
            json.WriteNumber("self_check_passed", passed);
            json.WriteNumber("self_check_failed", failed);
            if (failure is not null)
            {
                json.WriteString("self_check_error", failure.Message);
            }

            json.WriteStartObject("model");
            json.WriteString("source", System.IO.Path.GetFileName(model.Source)); // the file's name only: the endpoint is unauthenticated, the server's folders are nobody's business
            json.WriteString("cell", model.Description.Kind.ToString());
            json.WriteNumber("input_size", model.InputSize);
            json.WriteNumber("hidden_size", model.Description.HiddenSize);
            json.WriteNumber("layers", model.Description.NumLayers);
            json.WriteNumber("output_size", model.OutputSize);
            json.WriteBoolean("head", model.Head is not null);
            json.WriteString("weights", model.WeightsName);
            json.WriteEndObject();
            json.WriteNumber("open_streams", batcher.OpenStreams);
            json.WriteNumber("max_streams", batcher.Options.MaxStreams);
            json.WriteEndObject();
        }

        context.Response.StatusCode = healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(body.WrittenMemory, context.RequestAborted);
    }
}

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.Networks;
using FastRnn.Server;
using FastRnn.Serving;
using FastRnn.Tests.Serving;
using Microsoft.Extensions.Logging;
using Xunit;

namespace FastRnn.Tests.Server;

/// <summary>
/// What README's "The service" promises an operator: the instruments of the meters "FastRnn.Serving"
/// and "FastRnn.Server" (with a <c>reason</c> tag), the log lines (start, refusals and rejected
/// frames with their connection id, shutdown) and the hello.
/// </summary>
[Collection(MetricsListeners.Name)]
public sealed class ServerObservabilityTests
{
    [Fact]
    public async Task ConnectionsAndFramesAreCountedWithTheirReasonAndLoggedWithTheirConnectionId()
    {
        CancellationToken timeout = ServerFixture.Timeout(30);
        using var metrics = new Measurements("FastRnn.Server");
        var logs = new LogCollector();
        TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath, MaxStreams = 1 }, timeout, l =>
        {
            l.AddProvider(logs);
            l.SetMinimumLevel(LogLevel.Debug);
        });
        bool stopped = false;
        try
        {
            // 1: a frame of the wrong length.
            (ClientWebSocket first, _) = await ServerFixture.ConnectAsync(server, timeout);
            using (first)
            {
                await first.SendAsync(new byte[12], WebSocketMessageType.Binary, true, timeout);
                await ServerFixture.ExpectCloseAsync(first, WebSocketCloseStatus.InvalidPayloadData, "got 12 bytes", timeout);
            }

            await TestServer.WaitUntilAsync(() => server.Batcher.OpenStreams == 0, "the first stream is freed");

            // 2: a text message; 3 meanwhile: refused, every slot taken.
            (ClientWebSocket second, _) = await ServerFixture.ConnectAsync(server, timeout);
            using (second)
            {
                using var third = new ClientWebSocket();
                await third.ConnectAsync(server.Stream, timeout);
                await ServerFixture.ExpectCloseAsync(third, (WebSocketCloseStatus)1013, "server full", timeout);
                await second.SendAsync(Encoding.UTF8.GetBytes("hi"), WebSocketMessageType.Text, true, timeout);
                await ServerFixture.ExpectCloseAsync(second, WebSocketCloseStatus.InvalidMessageType, "got a text message", timeout);
            }

            await TestServer.WaitUntilAsync(() => server.Batcher.OpenStreams == 0, "the second stream is freed");

            // 4: a normal close after one frame; 5: open at shutdown.
            (ClientWebSocket fourth, _) = await ServerFixture.ConnectAsync(server, timeout);
            using (fourth)
            {
                await ServerFixture.SendAsync(fourth, new float[5], timeout);
                await ServerFixture.ReceiveFloatsAsync(fourth, timeout);
                await ServerFixture.CloseAsync(fourth, timeout);
            }

            await TestServer.WaitUntilAsync(() => metrics.Sum("fastrnn.server.connections.closed", "normal") == 1, "the fourth connection is counted closed");
            (ClientWebSocket fifth, _) = await ServerFixture.ConnectAsync(server, timeout);
            using (fifth)
            {
                Task stopping = server.DisposeAsync().AsTask();
                await ServerFixture.ExpectCloseAsync(fifth, WebSocketCloseStatus.EndpointUnavailable, "server shutting down", timeout);
                await stopping;
                stopped = true;
            }
        }
        finally
        {
            if (!stopped)
            {
                await server.DisposeAsync();
            }
        }

        Assert.Equal(4, metrics.Sum("fastrnn.server.connections.opened", null));
        Assert.Equal(1, metrics.Sum("fastrnn.server.connections.refused", "full"));
        Assert.Equal(1, metrics.Sum("fastrnn.server.frames.rejected", "wrong_length"));
        Assert.Equal(1, metrics.Sum("fastrnn.server.frames.rejected", "text"));
        Assert.Equal(2, metrics.Sum("fastrnn.server.connections.closed", "rejected"));
        Assert.Equal(1, metrics.Sum("fastrnn.server.connections.closed", "normal"));
        Assert.Equal(1, metrics.Sum("fastrnn.server.connections.closed", "shutdown"));

        Assert.Single(logs.Entries, e => e.EventId == 1 && e.Message.Contains(FastRnn.Kernels.Isa.Active.ToString(), StringComparison.Ordinal));
        Assert.Single(logs.Entries, e => e.EventId == 2 && e.Has("ConnectionId", 3L));
        Assert.Single(logs.Entries, e => e.EventId == 3 && e.Has("ConnectionId", 1L) && e.Message.Contains("1007", StringComparison.Ordinal));
        Assert.Single(logs.Entries, e => e.EventId == 3 && e.Has("ConnectionId", 2L) && e.Message.Contains("1003", StringComparison.Ordinal));
        Assert.Single(logs.Entries, e => e.EventId == 6 && e.Has("Connections", 1));
        Assert.Single(logs.Entries, e => e.EventId == 9);
    }

    [Fact]
    public async Task EveryAnsweredFrameIsOneStepOfABatchAndTheOpenStreamsGoBackToZero()
    {
        CancellationToken timeout = ServerFixture.Timeout(30);
        using var metrics = new Measurements("FastRnn.Serving");
        await using (TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath, MaxQueueDelayMicroseconds = 0 }, timeout))
        {
            (ClientWebSocket socket, _) = await ServerFixture.ConnectAsync(server, timeout);
            using (socket)
            {
                Assert.Equal(1, metrics.Sum("fastrnn.serving.open_streams", null));
                for (int i = 0; i < 20; i++)
                {
                    await ServerFixture.SendAsync(socket, new float[5], timeout);
                    await ServerFixture.ReceiveFloatsAsync(socket, timeout);
                }

                await ServerFixture.CloseAsync(socket, timeout);
            }

            await TestServer.WaitUntilAsync(() => server.Batcher.OpenStreams == 0, "the stream is freed");
        }

        Assert.Equal(20, metrics.Sum("fastrnn.serving.steps", null));
        Assert.Equal(20, metrics.Count("fastrnn.serving.batch_size"));
        Assert.Equal(20, metrics.Count("fastrnn.serving.queue_delay"));
        Assert.Equal(20, metrics.Count("fastrnn.serving.step_duration"));
        Assert.Equal(0, metrics.Sum("fastrnn.serving.open_streams", null));
    }

    /// <summary>
    /// "fastrnn.serving.queue_delay" is "Time a StepAsync call waited before its batch started":
    /// a lone stream with no queue delay waits only for the loop to wake, far less than its step
    /// of a large network takes. Every queue delay used to be measured after the step, so it was
    /// never shorter than the step itself.
    /// </summary>
    [Fact]
    public async Task TheQueueDelayEndsWhenTheBatchStartsNotWhenItEnds()
    {
        RecurrentNetwork big = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, 64, 1024) { NumLayers = 2 }, 7);
        using var metrics = new Measurements("FastRnn.Serving");
        using var batcher = new StreamBatcher(big, new StreamBatcherOptions { MaxStreams = 1, MaxBatch = 1 });
        StreamHandle stream = batcher.Open();
        float[] frame = new float[64], output = new float[1024];
        for (int i = 0; i < 10; i++)
        {
            await batcher.StepAsync(stream, frame, output, TestContext.Current.CancellationToken);
        }

        double shortestStep = metrics.Values("fastrnn.serving.step_duration").Min();
        double shortestWait = metrics.Values("fastrnn.serving.queue_delay").Min();
        Assert.True(shortestWait < shortestStep / 2, $"a lone stream's shortest queue delay {shortestWait * 1e3:F3} ms should be well under the shortest step {shortestStep * 1e3:F3} ms");
    }

    /// <summary>The hello's max_batch, and the start log's, is the batch the server steps: at most --max-streams.</summary>
    [Fact]
    public async Task TheHellosMaxBatchIsTheBatchTheServerSteps()
    {
        CancellationToken timeout = ServerFixture.Timeout();
        var logs = new LogCollector();
        await using TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath, MaxStreams = 2, MaxBatch = 64 }, timeout, l => l.AddProvider(logs));
        (ClientWebSocket socket, JsonElement hello) = await ServerFixture.ConnectAsync(server, timeout);
        using (socket)
        {
            Assert.Equal(2, hello.GetProperty("max_batch").GetInt32());
            await ServerFixture.CloseAsync(socket, timeout);
        }

        Assert.Single(logs.Entries, e => e.EventId == 1 && e.Has("MaxBatch", 2));
    }

    /// <summary>Every measurement of one meter's instruments, with its <c>reason</c> tag.</summary>
    private sealed class Measurements : IDisposable
    {
        private readonly MeterListener listener;
        private readonly ConcurrentQueue<(string Name, double Value, string? Reason)> seen = new();

        public Measurements(string meter)
        {
            listener = new MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    if (instrument.Meter.Name == meter)
                    {
                        l.EnableMeasurementEvents(instrument);
                    }
                },
            };
            listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
            listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
            listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
            listener.Start();
        }

        public double Sum(string name, string? reason) => seen.Where(m => m.Name == name && (reason is null || m.Reason == reason)).Sum(m => m.Value);

        public int Count(string name) => seen.Count(m => m.Name == name);

        public double[] Values(string name) => seen.Where(m => m.Name == name).Select(m => m.Value).ToArray();

        public void Dispose() => listener.Dispose();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? reason = null;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "reason")
                {
                    reason = tag.Value as string;
                }
            }

            seen.Enqueue((instrument.Name, value, reason));
        }
    }

    private sealed record LogEntry(string Category, LogLevel Level, int EventId, string Message, IReadOnlyList<KeyValuePair<string, object?>> State)
    {
        public bool Has(string key, object value) => State.Any(p => p.Key == key && Equals(p.Value, value));
    }

    private sealed class LogCollector : ILoggerProvider
    {
        private readonly ConcurrentQueue<LogEntry> entries = new();

        public IReadOnlyList<LogEntry> Entries => [.. entries];

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, entries);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                IReadOnlyList<KeyValuePair<string, object?>> pairs = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
                entries.Enqueue(new LogEntry(category, logLevel, eventId.Id, formatter(state, exception), [.. pairs]));
            }
        }
    }
}

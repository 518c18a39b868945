using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.Diagnostics;
using FastRnn.Kernels;
using FastRnn.Server;
using Xunit;

namespace FastRnn.Tests.Server;

/// <summary>
/// /healthz before and after the start-up self-check, and shutdown: open streams are closed with
/// 1001 and the host stops within its bound.
/// </summary>
public sealed class ServerLifecycleTests
{
    [Fact]
    public async Task HealthIs503WhileTheSelfCheckRunsThen200WithTheReport()
    {
        CancellationToken timeout = ServerFixture.Timeout(30);
        using var gate = new ManualResetEventSlim();
        SelfCheckReport Run()
        {
            gate.Wait(TimeSpan.FromSeconds(20));
            return SelfCheck.Run();
        }

        await using TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath, SelfCheckRunner = Run }, timeout);
        using var http = new HttpClient { BaseAddress = server.Http };
        using (HttpResponseMessage running = await http.GetAsync(new Uri("/healthz", UriKind.Relative), timeout))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, running.StatusCode);
            Assert.Equal("self-check running", await running.Content.ReadAsStringAsync(timeout));
        }

        (ClientWebSocket socket, _) = await ServerFixture.ConnectAsync(server, timeout);
        using (socket)
        {
            gate.Set();
            JsonElement body = default;
            HttpStatusCode status = HttpStatusCode.ServiceUnavailable;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(25);
            while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline)
            {
                using HttpResponseMessage response = await http.GetAsync(new Uri("/healthz", UriKind.Relative), timeout);
                status = response.StatusCode;
                if (status == HttpStatusCode.OK)
                {
                    using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout));
                    body = json.RootElement.Clone();
                }
                else
                {
                    await Task.Delay(50, timeout);
                }
            }

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("ok", body.GetProperty("status").GetString());
            Assert.Equal(Isa.Active.ToString(), body.GetProperty("isa").GetString());
            Assert.True(body.GetProperty("self_check_passed").GetInt32() > 10);
            Assert.Equal(0, body.GetProperty("self_check_failed").GetInt32());
            Assert.Equal(5, body.GetProperty("model").GetProperty("input_size").GetInt32());
            Assert.Equal(17, body.GetProperty("model").GetProperty("output_size").GetInt32());
            Assert.Equal(1, body.GetProperty("open_streams").GetInt32());
            await ServerFixture.CloseAsync(socket, timeout);
        }
    }

    [Fact]
    public async Task HealthIs503WhileTheBatcherWarmsUpAfterTheSelfCheckThen200()
    {
        CancellationToken timeout = ServerFixture.Timeout(30);
        await using TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath, WarmUpMilliseconds = 3000 }, timeout);
        using var http = new HttpClient { BaseAddress = server.Http };
        var seen = new System.Collections.Generic.List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(25);
        HttpStatusCode status = HttpStatusCode.ServiceUnavailable;
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            using HttpResponseMessage response = await http.GetAsync(new Uri("/healthz", UriKind.Relative), timeout);
            status = response.StatusCode;
            if (status != HttpStatusCode.OK)
            {
                string body = await response.Content.ReadAsStringAsync(timeout);
                if (seen.Count == 0 || seen[^1] != body)
                {
                    seen.Add(body);
                }

                await Task.Delay(50, timeout);
            }
        }

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("warming up", seen);
        Assert.DoesNotContain(seen, b => b != "warming up" && b != "self-check running");
    }

    [Fact]
    public async Task HealthIs503WhenACheckFailed()
    {
        CancellationToken timeout = ServerFixture.Timeout();
        SelfCheckReport Failing() => new(Isa.Active, [new SelfCheckRow("stand-in", Isa.Active, "-", 2, 1), new SelfCheckRow("other", Isa.Active, "-", 0, 1)]);
        await using TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath, SelfCheckRunner = Failing }, timeout);
        using var http = new HttpClient { BaseAddress = server.Http };
        string body = string.Empty;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!body.Contains("\"status\"", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            using HttpResponseMessage response = await http.GetAsync(new Uri("/healthz", UriKind.Relative), timeout);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            body = await response.Content.ReadAsStringAsync(timeout);
        }

        using JsonDocument json = JsonDocument.Parse(body);
        Assert.Equal("failed", json.RootElement.GetProperty("status").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("self_check_passed").GetInt32());
        Assert.Equal(1, json.RootElement.GetProperty("self_check_failed").GetInt32());
    }

    [Fact]
    public async Task ShutdownClosesOpenStreamsWith1001()
    {
        CancellationToken timeout = ServerFixture.Timeout();
        TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath }, timeout);
        await using (server)
        {
            (ClientWebSocket first, _) = await ServerFixture.ConnectAsync(server, timeout);
            (ClientWebSocket second, _) = await ServerFixture.ConnectAsync(server, timeout);
            using (first)
            using (second)
            {
                await ServerFixture.SendAsync(first, new float[5], timeout);
                await ServerFixture.ReceiveFloatsAsync(first, timeout);
                Task stopping = server.App.StopAsync(timeout);
                await ServerFixture.ExpectCloseAsync(first, WebSocketCloseStatus.EndpointUnavailable, "server shutting down", timeout);
                await ServerFixture.ExpectCloseAsync(second, WebSocketCloseStatus.EndpointUnavailable, "server shutting down", timeout);
                await stopping;
                Assert.Throws<ObjectDisposedException>(() => server.Batcher.Open());
            }
        }
    }

    [Theory]
    [InlineData("--model", "--model needs a value")]
    [InlineData("--max-streams 0", "--max-streams must be in 1..1048576, got 0")]
    [InlineData("--max-batch x", "--max-batch expects an integer in 1..65536, got 'x'")]
    [InlineData("--weights fp16", "--weights expects one of fp32 | bf16 | int8, got 'fp16'")]
    [InlineData("--head-prefix head.", "give --rnn-prefix too")]
    [InlineData("--port 80", "Unknown option '--port'")]
    [InlineData("--threads=65", "--threads must be in 1..64, got 65")]
    public void BadOptionsAreRefusedByName(string args, string message)
    {
        string[] argv = [.. args.Split(' '), .. (args.StartsWith("--model", StringComparison.Ordinal) ? Array.Empty<string>() : ["--model", "m.safetensors"])];
        var e = Assert.Throws<ServerOptionsException>(() => ServerOptions.Parse(argv));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheCommandExitsWith2OnABadOptionOrModel()
    {
        TextWriter saved = Console.Error;
        using var error = new StringWriter();
        Console.SetError(error);
        try
        {
            Assert.Equal(2, await Program.Main(["--max-batch", "0", "--model", "m.safetensors"]));
            Assert.Equal(2, await Program.Main(["--model", Path.Combine(Path.GetTempPath(), "no-such-model.safetensors")]));
            Assert.Equal(2, await Program.Main(["--model", ServerFixture.ModulePath, "--rnn-prefix", "rnn.", "--head-prefix", "nothing."]));
        }
        finally
        {
            Console.SetError(saved);
        }

        string text = error.ToString();
        Assert.Contains("--max-batch must be in 1..65536, got 0", text, StringComparison.Ordinal);
        Assert.Contains("no-such-model.safetensors", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }
}

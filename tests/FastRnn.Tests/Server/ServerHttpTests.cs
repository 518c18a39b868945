using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.Server;
using Xunit;

namespace FastRnn.Tests.Server;

/// <summary>What plain HTTP gets: a refused upgrade says which part is wrong, /healthz answers HEAD and names the model's file only.</summary>
public sealed class ServerHttpTests
{
    [Fact]
    public async Task ANonGetOnTheStreamIs405WithAllow()
    {
        CancellationToken timeout = ServerFixture.Timeout();
        await using TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath }, timeout);
        using var http = new HttpClient { BaseAddress = server.Http };
        using HttpResponseMessage response = await http.PostAsync(new Uri("/v1/stream", UriKind.Relative), new ByteArrayContent([1, 2]), timeout);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET"], response.Content.Headers.Allow.ToArray());
        Assert.Contains("not POST", await response.Content.ReadAsStringAsync(timeout), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnotherWebSocketVersionIs426Naming13()
    {
        CancellationToken timeout = ServerFixture.Timeout();
        await using TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath }, timeout);
        using var http = new HttpClient { BaseAddress = server.Http };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/stream");
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.ParseAdd("websocket");
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(new byte[16]));
        request.Headers.Add("Sec-WebSocket-Version", "8");
        using HttpResponseMessage response = await http.SendAsync(request, timeout);
        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
        Assert.Equal(["13"], response.Headers.GetValues("Sec-WebSocket-Version").ToArray());
        Assert.Contains("Sec-WebSocket-Version 8 is not supported", await response.Content.ReadAsStringAsync(timeout), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APlainGetIs400NamingWhatAnUpgradeNeeds()
    {
        CancellationToken timeout = ServerFixture.Timeout();
        await using TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath }, timeout);
        using var http = new HttpClient { BaseAddress = server.Http };
        using HttpResponseMessage response = await http.GetAsync(new Uri("/v1/stream", UriKind.Relative), timeout);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Sec-WebSocket-Version: 13", await response.Content.ReadAsStringAsync(timeout), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthAnswersHeadAndNamesTheModelFileWithoutItsFolders()
    {
        CancellationToken timeout = ServerFixture.Timeout();
        await using TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath, WarmUpMilliseconds = 0 }, timeout);
        using var http = new HttpClient { BaseAddress = server.Http };
        JsonElement model = default;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        HttpStatusCode status = HttpStatusCode.ServiceUnavailable;
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            using HttpResponseMessage response = await http.GetAsync(new Uri("/healthz", UriKind.Relative), timeout);
            status = response.StatusCode;
            if (status == HttpStatusCode.OK)
            {
                using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout));
                model = json.RootElement.GetProperty("model").Clone();
            }
            else
            {
                await Task.Delay(50, timeout);
            }
        }

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(System.IO.Path.GetFileName(ServerFixture.LstmPath), model.GetProperty("source").GetString());
        using HttpResponseMessage head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/healthz"), timeout);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
    }
}

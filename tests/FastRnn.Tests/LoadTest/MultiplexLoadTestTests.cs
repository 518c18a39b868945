using System;
using System.IO;
using System.Text.Json;
using System.Threading.Tasks;
using FastRnn.Cli.Commands;
using FastRnn.Server;
using FastRnn.Tests.Server;
using Xunit;
using static FastRnn.Tests.Cli.LoadTestCommandTests;

namespace FastRnn.Tests.LoadTest;

/// <summary>
/// `fastrnn loadtest --streams-per-connection K`: N streams over ceil(N/K) connections to /v1/streams
/// of the service started in-process and of a tiny protocol server (right answers, and wrong ones the
/// client must refuse), and the option's usage errors. Every run is a few connections for well under a second, bounded by --timeout-s.
/// </summary>
public sealed class MultiplexLoadTestTests
{
    [Fact]
    public async Task TheServiceAnswersTenStreamsOverThreeConnectionsAndFreesThemAtTheClose()
    {
        await using TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath, MaxStreams = 16 }, ServerFixture.Timeout());
        (JsonElement report, _) = await RunTenStreamsOfFourAsync(server.Http.ToString(), "2");
        Assert.Equal(17, report.GetProperty("model").GetProperty("output_size").GetInt32());
        await TestServer.WaitUntilAsync(() => server.Batcher.OpenStreams == 0, "every stream is freed");
    }

    [Fact]
    public async Task AConnectionTheServiceTurnsAwayWith1013EndsAllItsStreams()
    {
        // Room for one connection's four streams. The second connection's clock starts half an interval
        // (100 ms) after the first's, which then holds its streams for 5 intervals: its first message
        // finds no slot. (Started together, both could be turned away: the service opens a message's
        // new ids one by one, so each could take two slots before either finds none.)
        await using TestServer server = await TestServer.StartAsync(new ServerOptions { ModelPath = ServerFixture.LstmPath, MaxStreams = 4 }, ServerFixture.Timeout());
        (int exit, JsonElement report, string text) = await Task.Run(() => Run(["loadtest", "--url", server.Http.ToString(), "--streams", "8", "--frames", "5", "--interval-ms", "200", "--streams-per-connection", "4", "--timeout-s", "30"]));
        Assert.True(exit == 1, text);
        AssertCountsAddUp(report, streams: 8, frames: 5);
        Assert.True(report.GetProperty("answered").GetInt64() == 20, text);
        JsonElement closes = report.GetProperty("closes");
        Assert.Equal(4, closes.GetProperty("1000").GetInt32());
        Assert.Equal(4, closes.GetProperty("1013").GetInt32());
        Assert.Contains("1013: server full", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("0")]
    public async Task TenStreamsOfFourAConnectionGoOverThreeConnectionsAndAreAllAnswered(string interval)
    {
        await using LoadTestServer server = await LoadTestServer.StartAsync(Network());
        (JsonElement report, string text) = await RunTenStreamsOfFourAsync(server.BaseAddress, interval);
        Assert.EndsWith("/v1/streams", report.GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, server.MultiplexConnections);
        Assert.Equal(10 * 52, server.MultiplexRecords); // warm-up frames included
        Assert.Contains("10 streams (4 per connection, 3 connections) × 50 frames", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutTheOptionEachStreamHasItsOwnConnectionAndTheReportSaysNull()
    {
        await using LoadTestServer server = await LoadTestServer.StartAsync(Network());
        (int exit, JsonElement report, string text) = await Task.Run(() => Run(["loadtest", "--url", server.BaseAddress, "--streams", "2", "--frames", "5", "--interval-ms", "0", "--timeout-s", "30"]));
        Assert.True(exit == 0, text);
        Assert.Equal(JsonValueKind.Null, report.GetProperty("streams_per_connection").ValueKind);
        Assert.Equal(0, server.MultiplexConnections);
    }

    [Theory]
    [InlineData("Expired", "a text message came where the binary answer to message 0 was due: {\"expired\":[0]}")]
    [InlineData("Reversed", "record 0 of the answer to message 0 has stream id 2, expected 0 (records come in the request's order)")]
    [InlineData("Short", "the answer to message 0 has 136 bytes, expected 204 (3 records of 4 + 4·O bytes, O = 16 from the hello)")]
    public async Task AWrongAnswerEndsTheConnectionsStreamsWithAProtocolError(string reply, string reason)
    {
        await using LoadTestServer server = await LoadTestServer.StartAsync(Network(), reply: Enum.Parse<LoadTestServer.MultiplexReply>(reply));
        (int exit, JsonElement report, string text) = await Task.Run(() => Run(["loadtest", "--url", server.BaseAddress, "--streams", "3", "--frames", "20", "--interval-ms", "1", "--streams-per-connection", "3", "--timeout-s", "30"]));
        Assert.True(exit == 1, text);
        AssertCountsAddUp(report, streams: 3, frames: 20);
        Assert.Equal(0, report.GetProperty("answered").GetInt64());
        Assert.False(report.GetProperty("timed_out").GetBoolean());
        Assert.Equal(3, report.GetProperty("closes").GetProperty("protocol_error").GetInt32());
        Assert.Contains("protocol_error: " + reason, text, StringComparison.Ordinal);
    }

    /// <summary>10 streams × 50 frames (after 2 warm-up), 4 a connection: every frame answered, every stream closed with 1000.</summary>
    private static async Task<(JsonElement Report, string Text)> RunTenStreamsOfFourAsync(string address, string interval)
    {
        (int exit, JsonElement report, string text) = await Task.Run(() => Run(["loadtest", "--url", address, "--streams", "10", "--frames", "50", "--warmup-frames", "2", "--interval-ms", interval, "--streams-per-connection", "4", "--timeout-s", "30"]));
        Assert.True(exit == 0, text);
        AssertCountsAddUp(report, streams: 10, frames: 50);
        Assert.Equal(500, report.GetProperty("sent").GetInt64());
        Assert.Equal(500, report.GetProperty("answered").GetInt64());
        Assert.Equal(0, report.GetProperty("lost").GetInt64());
        Assert.Equal(4, report.GetProperty("streams_per_connection").GetInt32());
        Assert.Equal(10, report.GetProperty("closes").GetProperty("1000").GetInt32());
        Assert.Single(report.GetProperty("closes").EnumerateObject());
        return (report, text);
    }

    [Theory]
    [InlineData("--streams-per-connection is for --url (streams sharing a connection to /v1/streams); --in-process has no connections", "--in-process", "--model", "m", "--streams-per-connection", "4")]
    [InlineData("--streams-per-connection must be an integer in 1..1024, got '0'", "--url", "http://127.0.0.1:1", "--streams-per-connection", "0")]
    [InlineData("--streams-per-connection must be an integer in 1..1024, got '1025'", "--url", "http://127.0.0.1:1", "--streams-per-connection", "1025")]
    public void TheOptionIsForAUrlAndInRange(string message, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(2, FastRnnCommandLine.Run(["loadtest", .. args, "--streams", "8", "--frames", "1"], output, error));
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, output.ToString());
    }
}

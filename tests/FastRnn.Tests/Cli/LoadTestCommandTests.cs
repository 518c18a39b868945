using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Tasks;
using FastRnn.Cli.Commands;
using FastRnn.IO;
using FastRnn.Networks;
using FastRnn.Tests.LoadTest;
using FastRnn.Tests.Modules;
using Xunit;

namespace FastRnn.Tests.Cli;

/// <summary>
/// `fastrnn loadtest`: in-process on a network file and on a module with a head, against tiny
/// protocol servers on 127.0.0.1 (one that is full, one that never answers), and its usage errors.
/// Every run is a few streams for well under a second, bounded by --timeout-s.
/// </summary>
public sealed class LoadTestCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fastrnn-loadtest-").FullName;

    [Theory]
    [InlineData("2")]
    [InlineData("0")]
    public void InProcessOnANetworkFileAnswersEveryFrame(string interval)
    {
        string model = SaveNetwork();
        (int exit, JsonElement report, string text) = Run(["loadtest", "--in-process", "--model", model, "--streams", "3", "--frames", "40", "--interval-ms", interval, "--warmup-frames", "2", "--timeout-s", "30"]);
        Assert.True(exit == 0, text);
        AssertCountsAddUp(report, streams: 3, frames: 40);
        Assert.Equal(120, report.GetProperty("answered").GetInt64());
        Assert.Equal("in-process", report.GetProperty("mode").GetString());
        Assert.Equal(int.Parse(interval), report.GetProperty("interval_ms").GetInt32());
        Assert.Equal(interval == "0" ? 1 : 64, report.GetProperty("window").GetInt32());
        Assert.True(report.GetProperty("mean_batch").GetDouble() >= 1);
        Assert.Equal(5, report.GetProperty("model").GetProperty("input_size").GetInt32());
        Assert.Empty(report.GetProperty("closes").EnumerateObject());
    }

    [Fact]
    public void InProcessStopsAtTheTimeoutAndCountsWhatWasLeft()
    {
        string model = SaveNetwork();
        (int exit, JsonElement report, string text) = Run(["loadtest", "--in-process", "--model", model, "--streams", "2", "--frames", "1000", "--interval-ms", "10", "--timeout-s", "1"]);
        Assert.True(exit == 1, text);
        AssertCountsAddUp(report, streams: 2, frames: 1000);
        Assert.True(report.GetProperty("timed_out").GetBoolean());
        Assert.InRange(report.GetProperty("answered").GetInt64(), 1, 1999);
        Assert.Equal(2, report.GetProperty("closes").GetProperty("timeout").GetInt32());
        Assert.Contains("stopped by the 1 s timeout", text, StringComparison.Ordinal);
        Assert.Contains("past --timeout-s 1: the run will stop at the timeout", text, StringComparison.Ordinal);
    }

    [Fact]
    public void InProcessRunsANetworkFileInItsStoredFormatAsTheServerDoes()
    {
        string model = Path.Combine(folder, "lstm-int8.safetensors");
        NetworkFile.Save(Network().WithWeightFormat(WeightFormat.Int8), model);
        (int exit, JsonElement report, string text) = Run(["loadtest", "--in-process", "--model", model, "--streams", "1", "--frames", "5", "--interval-ms", "0", "--timeout-s", "30"]);
        Assert.True(exit == 0, text);
        Assert.Equal("int8", report.GetProperty("model").GetProperty("weights").GetString());
    }

    [Fact]
    public void InProcessOnAModuleCaseAppliesItsHead()
    {
        ModuleCaseData c = ModuleCaseData.Load("lstm_l2_head_softmax");
        IReadOnlyDictionary<string, string> metadata = SafeTensorsFile.Read(c.CasePath).Metadata;
        (int exit, JsonElement report, string text) = Run(["loadtest", "--in-process", "--model", c.ModelPath, "--rnn-prefix", metadata["rnn_prefix"], "--head-prefix", metadata["head_prefix"], "--head-activation", metadata["head_activation"], "--weights", "bf16", "--streams", "2", "--frames", "30", "--interval-ms", "1", "--max-batch", "2", "--threads", "2"]);
        Assert.True(exit == 0, text);
        AssertCountsAddUp(report, streams: 2, frames: 30);
        JsonElement model = report.GetProperty("model");
        Assert.Equal(ModuleFile.Load(c.ModelPath, c.Options).Head!.OutputSize, model.GetProperty("output_size").GetInt32());
        Assert.Equal("bf16", model.GetProperty("weights").GetString());
        Assert.Equal("Softmax", model.GetProperty("head").GetString());
        Assert.Contains("the batcher applies the head to each batch after its step", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheUrlModeStreamsToAProtocolServerAndClosesWith1000()
    {
        RecurrentNetwork network = Network();
        await using LoadTestServer server = await LoadTestServer.StartAsync(network);
        (int exit, JsonElement report, string text) = await Task.Run(() => Run(["loadtest", "--url", server.BaseAddress, "--streams", "3", "--frames", "30", "--interval-ms", "2", "--timeout-s", "30"]));
        Assert.True(exit == 0, text);
        AssertCountsAddUp(report, streams: 3, frames: 30);
        Assert.Equal(90, report.GetProperty("answered").GetInt64());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("mean_batch").ValueKind);
        Assert.Equal(3, report.GetProperty("closes").GetProperty("1000").GetInt32());
        Assert.Equal(network.Description.InputSize, report.GetProperty("model").GetProperty("input_size").GetInt32());
        Assert.EndsWith("/v1/stream", report.GetProperty("url").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamsTheServerTurnsAwayWith1013AreCountedAndTheRunFails()
    {
        await using LoadTestServer server = await LoadTestServer.StartAsync(Network(), maxStreams: 2);
        (int exit, JsonElement report, string text) = await Task.Run(() => Run(["loadtest", "--url", server.BaseAddress, "--streams", "4", "--frames", "20", "--interval-ms", "0", "--timeout-s", "30"]));
        Assert.True(exit == 1, text);
        AssertCountsAddUp(report, streams: 4, frames: 20);
        Assert.Equal(40, report.GetProperty("answered").GetInt64());
        JsonElement closes = report.GetProperty("closes");
        Assert.Equal(2, closes.GetProperty("1013").GetInt32());
        Assert.Equal(2, closes.GetProperty("1000").GetInt32());
        Assert.Contains("1013: server full: 2 streams open", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerThatNeverAnswersIsStoppedByTheTimeoutWithEveryFrameLost()
    {
        await using LoadTestServer server = await LoadTestServer.StartAsync(Network(), answer: false);
        (int exit, JsonElement report, string text) = await Task.Run(() => Run(["loadtest", "--url", server.BaseAddress, "--streams", "2", "--frames", "10", "--interval-ms", "1", "--timeout-s", "1"]));
        Assert.True(exit == 1, text);
        AssertCountsAddUp(report, streams: 2, frames: 10);
        Assert.True(report.GetProperty("timed_out").GetBoolean());
        Assert.Equal(20, report.GetProperty("lost").GetInt64());
        Assert.Equal(2, report.GetProperty("closes").GetProperty("timeout").GetInt32());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("p50_ms").ValueKind);
    }

    [Fact]
    public async Task AServerThatNeverAnswersTheCloseIsStoppedByTheTimeoutToo()
    {
        // The close handshake had a fixed 5 s of its own: the run ended past 5 s whatever --timeout-s said.
        await using LoadTestServer server = await LoadTestServer.StartAsync(Network(), answerClose: false);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        (int exit, JsonElement report, string text) = await Task.Run(() => Run(["loadtest", "--url", server.BaseAddress, "--streams", "2", "--frames", "5", "--interval-ms", "1", "--timeout-s", "1"]));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"{clock.Elapsed.TotalSeconds:F1} s for --timeout-s 1");
        Assert.True(exit == 0, text); // every frame was answered
        Assert.Equal(10, report.GetProperty("answered").GetInt64());
        Assert.True(report.GetProperty("timed_out").GetBoolean());
        Assert.Equal(2, report.GetProperty("closes").GetProperty("timeout").GetInt32());
    }

    [Fact]
    public void NumbersInMessagesReadTheSameInEveryCulture()
    {
        var error = new StringWriter();
        CultureInfo saved = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CommaCulture();
        try
        {
            Assert.Equal(2, FastRnnCommandLine.Run(["loadtest", "--url", "http://127.0.0.1:1", "--streams", "10000", "--frames", "10000"], new StringWriter(), error));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }

        Assert.Contains("at most 25,000,000 (each measured frame's latency is kept), got 10000 × 10000 = 100,000,000", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A culture that writes 1.234,5 (as de-DE does; this process has invariant globalization, so no named culture but the invariant one).</summary>
    internal static CultureInfo CommaCulture()
    {
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberDecimalSeparator = ",";
        culture.NumberFormat.NumberGroupSeparator = ".";
        culture.NumberFormat.PercentDecimalSeparator = ",";
        culture.NumberFormat.PercentGroupSeparator = ".";
        return culture;
    }

    [Fact]
    public async Task ANoServerPortCountsEveryStreamAsConnectFailed()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        (int exit, JsonElement report, string text) = await Task.Run(() => Run(["loadtest", "--url", $"http://127.0.0.1:{port}", "--streams", "2", "--frames", "5", "--timeout-s", "10"]));
        Assert.True(exit == 1, text);
        Assert.Equal(0, report.GetProperty("sent").GetInt64());
        Assert.Equal(2, report.GetProperty("closes").GetProperty("connect_failed").GetInt32());
    }

    [Theory]
    [InlineData("give either --url URL (a server) or --in-process --model M", "--streams", "1", "--frames", "1")]
    [InlineData("give either --url URL (a server) or --in-process --model M", "--url", "http://127.0.0.1:1", "--in-process", "--model", "m", "--streams", "1", "--frames", "1")]
    [InlineData("--url must name this machine (127.0.0.1, [::1] or localhost)", "--url", "http://10.1.2.3:5000", "--streams", "1", "--frames", "1")]
    [InlineData("--url must be a server's base address such as http://127.0.0.1:5000 (http or https), got 'ftp://127.0.0.1'", "--url", "ftp://127.0.0.1", "--streams", "1", "--frames", "1")]
    [InlineData("--url must be a server's base address", "--url", "127.0.0.1:5000", "--streams", "1", "--frames", "1")]
    [InlineData("--streams must be an integer in 1..10000, got '-3'", "--url", "http://127.0.0.1:1", "--streams", "-3", "--frames", "1")]
    [InlineData("--frames must be an integer in 1..10000000, got '0'", "--url", "http://127.0.0.1:1", "--streams", "1", "--frames", "0")]
    [InlineData("--interval-ms must be an integer in 0..60000, got '-1'", "--url", "http://127.0.0.1:1", "--streams", "1", "--frames", "1", "--interval-ms", "-1")]
    [InlineData("Option '--frames' is required", "--url", "http://127.0.0.1:1", "--streams", "1")]
    [InlineData("--in-process needs --model M", "--in-process", "--streams", "1", "--frames", "1")]
    [InlineData("--model 'no-such-model.safetensors' does not exist", "--in-process", "--model", "no-such-model.safetensors", "--streams", "1", "--frames", "1")]
    [InlineData("--model '.' is a directory; give a model file", "--in-process", "--model", ".", "--streams", "1", "--frames", "1")]
    [InlineData("--allow-remote is for --url; --in-process runs on this machine", "--in-process", "--allow-remote", "--model", "m", "--streams", "1", "--frames", "1")]
    [InlineData("--max-batch is for --in-process; with --url the server loads the model", "--url", "http://127.0.0.1:1", "--max-batch", "8", "--streams", "1", "--frames", "1")]
    [InlineData("--head-activation must be none, sigmoid or softmax, got 'tanh'", "--in-process", "--model", "m", "--head-activation", "tanh", "--streams", "1", "--frames", "1")]
    [InlineData("--streams × --frames must be at most 25,000,000 (each measured frame's latency is kept), got 10000 × 10000 = 100,000,000", "--url", "http://127.0.0.1:1", "--streams", "10000", "--frames", "10000")]
    public void UsageErrorsSayWhatIsWrongAndExitWith2(string message, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(2, FastRnnCommandLine.Run(["loadtest", .. args], output, error));
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, output.ToString());
    }

    [Fact]
    public void ModuleOptionsNeedAnRnnPrefixAndABadModelExitsWith2()
    {
        string model = SaveNetwork();
        var error = new StringWriter();
        Assert.Equal(2, FastRnnCommandLine.Run(["loadtest", "--in-process", "--model", model, "--head-prefix", "head.", "--streams", "1", "--frames", "1"], new StringWriter(), error));
        Assert.Contains("--head-prefix is for a module's state_dict: give its recurrent layer's prefix with --rnn-prefix", error.ToString(), StringComparison.Ordinal);

        string notAModel = Path.Combine(folder, "bad.safetensors");
        File.WriteAllText(notAModel, "not a safetensors file");
        error = new StringWriter();
        Assert.Equal(2, FastRnnCommandLine.Run(["loadtest", "--in-process", "--model", notAModel, "--streams", "1", "--frames", "1"], new StringWriter(), error));
        Assert.Contains($"cannot serve --model {notAModel}", error.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    internal static RecurrentNetwork Network() => RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, 5, 16), seed: 7);

    internal static void AssertCountsAddUp(JsonElement report, int streams, int frames)
    {
        long sent = report.GetProperty("sent").GetInt64(), answered = report.GetProperty("answered").GetInt64();
        long lost = report.GetProperty("lost").GetInt64(), skipped = report.GetProperty("skipped").GetInt64();
        Assert.Equal(sent, answered + lost);
        Assert.True(sent + skipped <= (long)streams * frames, $"sent {sent} + skipped {skipped} > {streams} × {frames}");
        Assert.Equal(streams, report.GetProperty("streams").GetInt32());
        Assert.Equal(frames, report.GetProperty("frames").GetInt32());
        if (answered > 0)
        {
            double p50 = report.GetProperty("p50_ms").GetDouble(), p95 = report.GetProperty("p95_ms").GetDouble();
            double p99 = report.GetProperty("p99_ms").GetDouble(), max = report.GetProperty("max_ms").GetDouble();
            Assert.True(p50 > 0 && p50 <= p95 && p95 <= p99 && p99 <= max, $"p50 {p50}, p95 {p95}, p99 {p99}, max {max}");
            Assert.True(report.GetProperty("steps_per_s").GetDouble() > 0);
        }

        Assert.True(report.GetProperty("elapsed_s").GetDouble() > 0);
    }

    /// <summary>Runs the command; the report is the last line of standard output, the text everything for messages.</summary>
    internal static (int Exit, JsonElement Report, string Text) Run(string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = FastRnnCommandLine.Run(args, output, error);
        string[] lines = output.ToString().TrimEnd().Split('\n');
        using JsonDocument json = JsonDocument.Parse(lines[^1]);
        return (exit, json.RootElement.Clone(), output + "\n" + error);
    }

    private string SaveNetwork()
    {
        string path = Path.Combine(folder, "lstm.safetensors");
        NetworkFile.Save(Network(), path);
        return path;
    }
}

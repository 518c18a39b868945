using System;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;
using FastRnn.Cli.LoadTest;
using FastRnn.Heads;
using FastRnn.IO;
using FastRnn.Networks;
using FastRnn.Serving;

namespace FastRnn.Cli.Commands;

/// <summary>
/// <c>fastrnn loadtest --url URL --streams N --frames F [--interval-ms P]</c> drives N concurrent
/// WebSocket streams of a server (<c>ws://…/v1/stream</c>), each sending a frame every P ms (0: the
/// next as soon as the last is answered), or with <c>--streams-per-connection K</c> K streams a
/// connection to <c>ws://…/v1/streams</c> on one clock, and <c>fastrnn loadtest --in-process --model M [module
/// options] ...</c> drives the same streams straight into a <see cref="StreamBatcher"/>, so the
/// network's share shows. Progress goes to standard error; the summary, then one JSON line (the last
/// line), to standard output. Exit 0 when every frame was answered, 1 when some were not, 2 for a
/// usage error (options, a URL off this machine, a model that cannot be loaded).
/// </summary>
internal static class LoadTestCommand
{
    private const int UsageErrorExitCode = 2;
    private const long MaxLatencies = 25_000_000; // one float per measured frame is kept for exact percentiles: 100 MB
    private const int MaxStreamsPerConnection = 1024;
    private const int DefaultIntervalMs = 10, DefaultTimeoutSeconds = 120, DefaultWindow = 64, DefaultSeed = 1, DefaultMaxBatch = 64;

    /// <summary>The <c>loadtest</c> command.</summary>
    public static CliCommand Create()
    {
        var url = new Option<string>("--url") { HelpName = "URL", Description = "The server's base address, e.g. http://127.0.0.1:5000; streams go to ws://…/v1/stream." };
        var inProcess = new Option<bool>("--in-process") { Description = "Drive a StreamBatcher in this process instead of a server (needs --model)." };
        var allowRemote = new Option<bool>("--allow-remote") { Description = "Allow a --url that is not this machine." };
        Option<int?> streams = CliOptions.Integer("--streams", "N", "Concurrent streams.", 1, 10_000);
        streams.Required = true;
        Option<int?> frames = CliOptions.Integer("--frames", "F", "Measured frames per stream.", 1, 10_000_000);
        frames.Required = true;
        Option<int?> interval = CliOptions.Integer("--interval-ms", "P", $"Milliseconds between a stream's frames, on the stream's own clock; 0: the next frame when the last is answered (default {DefaultIntervalMs}).", 0, 60_000);
        Option<int?> warmup = CliOptions.Integer("--warmup-frames", "W", "Frames per stream sent first and left out of the figures (default 0).", 0, 1_000_000);
        Option<int?> timeout = CliOptions.Integer("--timeout-s", "S", $"Stop after S seconds whatever is left, close handshakes included; the run ends within about a second past S (default {DefaultTimeoutSeconds}).", 1, 86_400);
        Option<int?> seed = CliOptions.Integer("--seed", "S", $"Seed of the frames' values (default {DefaultSeed}).", 0, int.MaxValue);
        Option<int?> window = CliOptions.Integer("--window", "N", $"Unanswered frames a stream may have; a frame due beyond them is skipped (default {DefaultWindow}).", 1, 4096);
        Option<int?> perConnection = CliOptions.Integer("--streams-per-connection", "K", "--url: K streams share a connection to ws://…/v1/streams and its clock, one message per interval (default: a connection per stream to /v1/stream).", 1, MaxStreamsPerConnection);
        var model = new Option<string>("--model") { HelpName = "M", Description = "--in-process: a FastRnn network file, or with --rnn-prefix a PyTorch module's state_dict (.safetensors)." };
        var rnnPrefix = new Option<string>("--rnn-prefix") { HelpName = "P", Description = "--in-process: load --model as a module; its recurrent layer's prefix, e.g. rnn. (\"\" for a bare nn.LSTM)." };
        var headPrefix = new Option<string>("--head-prefix") { HelpName = "Q", Description = "--in-process: the module's nn.Linear head prefix, e.g. head." };
        Option<HeadActivation?> headActivation = CliOptions.Parsed<HeadActivation>("--head-activation", "none|sigmoid|softmax", "--in-process: what the head applies (default none).", "none, sigmoid or softmax", ParseActivation);
        Option<RnnNonlinearity?> nonlinearity = CliOptions.Parsed<RnnNonlinearity>("--nonlinearity", "tanh|relu", "--in-process: a module RNN's activation.", "tanh or relu", ParseNonlinearity);
        var ignoreOthers = new Option<bool>("--ignore-other-tensors") { Description = "--in-process: skip a module's tensors under neither prefix." };
        Option<WeightFormat?> weights = CliOptions.Parsed<WeightFormat>("--weights", "fp32|bf16|int8", "--in-process: how the recurrent weights are stored (default: as stored; fp32 for a module, as the server).", "fp32, bf16 or int8", NetworkFile.ParseFormat);
        Option<int?> maxBatch = CliOptions.Integer("--max-batch", "B", $"--in-process: streams per batched step (default {DefaultMaxBatch}).", 1, 65_536);
        Option<int?> queueDelay = CliOptions.Integer("--max-queue-delay-us", "D", "--in-process: microseconds the batcher may wait for a fuller batch (default 0).", 0, 1_000_000);
        Option<int?> threads = CliOptions.Integer("--threads", "T", "--in-process: threads of one batched step (default 1).", 1, 64);
        var command = new CliCommand("loadtest", "Drive many concurrent streams of a server (--url) or of a batcher in this process (--in-process): throughput and latency.", UsageErrorExitCode)
        {
            url, inProcess, allowRemote, streams, frames, interval, warmup, timeout, seed, window, perConnection,
            model, rnnPrefix, headPrefix, headActivation, nonlinearity, ignoreOthers, weights, maxBatch, queueDelay, threads,
        };
        Option[] inProcessOnly = [model, rnnPrefix, headPrefix, headActivation, nonlinearity, ignoreOthers, weights, maxBatch, queueDelay, threads];
        Option[] moduleOnly = [headPrefix, headActivation, nonlinearity, ignoreOthers];
        command.Validators.Add(result =>
        {
            try
            {
                // Values first: one that did not parse reports its own error (and throws here) before these checks add others.
                _ = (result.GetValue(streams), result.GetValue(frames), result.GetValue(interval), result.GetValue(warmup), result.GetValue(timeout), result.GetValue(seed), result.GetValue(window), result.GetValue(perConnection));
                _ = (result.GetValue(headActivation), result.GetValue(nonlinearity), result.GetValue(weights), result.GetValue(maxBatch), result.GetValue(queueDelay), result.GetValue(threads));
                string? address = result.GetValue(url);
                bool local = result.GetValue(inProcess);
                if ((address is null) == !local)
                {
                    result.AddError("give either --url URL (a server) or --in-process --model M (a batcher in this process)");
                    return;
                }

                if (address is not null)
                {
                    if (StreamUrl.From(address, result.GetValue(allowRemote), out string? problem) is null)
                    {
                        result.AddError(problem!);
                    }

                    foreach (Option option in inProcessOnly)
                    {
                        if (CliOptions.Given(result, option))
                        {
                            result.AddError($"{option.Name} is for --in-process; with --url the server loads the model");
                        }
                    }
                }
                else if (CliOptions.Given(result, allowRemote))
                {
                    result.AddError("--allow-remote is for --url; --in-process runs on this machine");
                }
                else if (result.GetValue(model) is not string path)
                {
                    result.AddError("--in-process needs --model M (a network file, or a module with --rnn-prefix)");
                }
                else
                {
                    if (Directory.Exists(path))
                    {
                        result.AddError($"--model '{path}' is a directory; give a model file");
                    }
                    else if (!File.Exists(path))
                    {
                        result.AddError($"--model '{path}' does not exist");
                    }

                    if (result.GetValue(rnnPrefix) is null)
                    {
                        foreach (Option option in moduleOnly)
                        {
                            if (CliOptions.Given(result, option))
                            {
                                result.AddError($"{option.Name} is for a module's state_dict: give its recurrent layer's prefix with --rnn-prefix");
                            }
                        }
                    }
                }

                if (local && CliOptions.Given(result, perConnection))
                {
                    result.AddError("--streams-per-connection is for --url (streams sharing a connection to /v1/streams); --in-process has no connections");
                }

                long total = (long)(result.GetValue(streams) ?? 1) * (result.GetValue(frames) ?? 1);
                if (total > MaxLatencies)
                {
                    result.AddError(string.Create(CultureInfo.InvariantCulture, $"--streams × --frames must be at most {MaxLatencies:N0} (each measured frame's latency is kept), got {result.GetValue(streams)} × {result.GetValue(frames)} = {total:N0}"));
                }
            }
            catch (InvalidOperationException)
            {
                // An option whose value did not parse has reported its own error; these checks need the values.
            }
        });
        command.SetAction(result =>
        {
            var settings = new LoadTestSettings
            {
                Streams = result.GetRequiredValue(streams)!.Value,
                Frames = result.GetRequiredValue(frames)!.Value,
                IntervalMs = result.GetValue(interval) ?? DefaultIntervalMs,
                WarmupFrames = result.GetValue(warmup) ?? 0,
                TimeoutSeconds = result.GetValue(timeout) ?? DefaultTimeoutSeconds,
                Seed = result.GetValue(seed) ?? DefaultSeed,
                Window = result.GetValue(window) ?? DefaultWindow,
                StreamsPerConnection = result.GetValue(perConnection),
            };
            TextWriter output = result.InvocationConfiguration.Output, error = result.InvocationConfiguration.Error;
            if (result.GetValue(url) is string address)
            {
                string path = settings.StreamsPerConnection is null ? StreamUrl.StreamPath : StreamUrl.MultiplexPath;
                Uri uri = StreamUrl.From(address, result.GetValue(allowRemote), out _, path)!;
                return Run(settings, new UrlTarget(uri, settings), output, error);
            }

            var source = new InProcessModel
            {
                Path = result.GetRequiredValue(model),
                RnnPrefix = result.GetValue(rnnPrefix),
                HeadPrefix = result.GetValue(headPrefix),
                HeadActivation = result.GetValue(headActivation) ?? HeadActivation.None,
                Nonlinearity = result.GetValue(nonlinearity),
                IgnoreOtherTensors = result.GetValue(ignoreOthers),
                Weights = result.GetValue(weights),
            };
            var options = new StreamBatcherOptions
            {
                MaxStreams = settings.Streams,
                MaxBatch = result.GetValue(maxBatch) ?? DefaultMaxBatch,
                MaxQueueDelay = TimeSpan.FromMicroseconds(result.GetValue(queueDelay) ?? 0),
                Threads = result.GetValue(threads) ?? 1,
            };
            ILoadTarget target;
            try
            {
                (RecurrentNetwork network, DenseHead? head) = source.Load();
                target = new InProcessTarget(source.Path, network, head, options, settings.EffectiveWindow);
                if (head is not null)
                {
                    error.WriteLine("fastrnn loadtest: the batcher applies the head to each batch after its step, as the server does");
                }
            }
            catch (Exception e) when (e is FastRnnFormatException or IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                error.WriteLine($"fastrnn loadtest: cannot serve --model {source.Path}: {e.Message}");
                return UsageErrorExitCode;
            }

            return Run(settings, target, output, error);
        });
        return command;
    }

    private static int Run(LoadTestSettings settings, ILoadTarget target, TextWriter output, TextWriter error)
    {
        using (target)
        {
            string perConnection = settings.StreamsPerConnection is int k ? $" ({k} per connection, {settings.Connections} connections)" : string.Empty;
            error.WriteLine($"fastrnn loadtest: {settings.Streams} streams{perConnection} × {settings.Frames} frames{(settings.WarmupFrames > 0 ? $" (after {settings.WarmupFrames} warm-up)" : string.Empty)} {(settings.IntervalMs == 0 ? "each as soon as the last is answered" : $"every {settings.IntervalMs} ms")}, {target.Mode}: {target.Address}");
            long plannedMs = (long)settings.FramesPerStream * settings.IntervalMs;
            if (plannedMs > settings.TimeoutSeconds * 1000L)
            {
                error.WriteLine($"fastrnn loadtest: {settings.FramesPerStream} frames every {settings.IntervalMs} ms take {plannedMs / 1000.0:F0} s, past --timeout-s {settings.TimeoutSeconds}: the run will stop at the timeout");
            }

            // Off the caller's synchronization context: the run's awaits must not queue behind a blocked caller.
            LoadTestReport report = Task.Run(() => LoadTestRun.RunAsync(settings, target, LoadTestProgress.For(error))).GetAwaiter().GetResult();
            report.WriteSummary(output);
            output.WriteLine(report.ToJson());
            return report.AllAnswered ? 0 : 1;
        }
    }

    private static HeadActivation? ParseActivation(string text) => text switch
    {
        "none" => HeadActivation.None,
        "sigmoid" => HeadActivation.Sigmoid,
        "softmax" => HeadActivation.Softmax,
        _ => null,
    };

    private static RnnNonlinearity? ParseNonlinearity(string text) => text switch
    {
        "tanh" => RnnNonlinearity.Tanh,
        "relu" => RnnNonlinearity.Relu,
        _ => null,
    };
}

using System;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using FastRnn.Diagnostics;
using FastRnn.Heads;
using FastRnn.IO;

namespace FastRnn.Server;

/// <summary>
/// What the service serves and how: the model file (a FastRnn network file, or with
/// <see cref="RnnPrefix"/> a PyTorch module's <c>state_dict</c>), the batcher's limits and the
/// addresses to listen on. <see cref="Parse"/> reads them from the command line.
/// </summary>
public sealed record ServerOptions
{
    /// <summary>What <c>--help</c> prints.</summary>
    public const string Usage = """
        Usage: FastRnn.Server --model FILE [options]

        Serves one recurrent network to many WebSocket clients (GET /v1/stream; GET /healthz).

          --model FILE                 a FastRnn network file (.safetensors with its metadata), or with
                                       --rnn-prefix a PyTorch module's state_dict
          --rnn-prefix P               load FILE as a module: the recurrent layer's name prefix (e.g. rnn.)
          --head-prefix Q              the module's nn.Linear head prefix (e.g. head.); outputs become the head's
          --head-activation A          none | sigmoid | softmax (default none)
          --nonlinearity N             tanh | relu: a vanilla RNN module's activation
          --ignore-other-tensors       skip tensors under neither prefix instead of refusing them
          --weights W                  fp32 | bf16 | int8 (default: as stored; fp32 for a module)
          --max-streams N              stream slots, i.e. concurrent connections (default 1024)
          --max-batch N                streams stepped together (default 64)
          --max-queue-delay-us N       how long a frame may wait for a fuller batch (default 200)
          --idle-timeout-s N           free a stream no frame named for N seconds; 0 for never (default 60)
          --threads N                  threads per batched step (default 1)
          --warmup-ms N                throwaway batched steps at start, before /healthz says ok, so the
                                       first clients meet optimised code (default 1000; 0 for one round)
          --urls URLS                  where to listen, e.g. http://127.0.0.1:5080 (default: ASP.NET Core's)
        """;

    /// <summary>The model file.</summary>
    public required string ModelPath { get; init; }

    /// <summary>The recurrent layer's prefix when <see cref="ModelPath"/> is a module's <c>state_dict</c>; null for a FastRnn network file.</summary>
    public string? RnnPrefix { get; init; }

    /// <summary>The module's dense head prefix, or null for no head (a module only).</summary>
    public string? HeadPrefix { get; init; }

    /// <summary>The head's activation (a module with a head only).</summary>
    public HeadActivation HeadActivation { get; init; } = HeadActivation.None;

    /// <summary>A vanilla RNN module's activation, which its weights do not record.</summary>
    public RnnNonlinearity? Nonlinearity { get; init; }

    /// <summary>Whether a module's tensors under neither prefix are skipped instead of refused.</summary>
    public bool IgnoreOtherTensors { get; init; }

    /// <summary>The weight format to serve, or null for the file's own (float32 for a module).</summary>
    public WeightFormat? Weights { get; init; }

    /// <summary>Stream slots: connections served at once (1..1,048,576; default 1024). One more is refused with 1013.</summary>
    public int MaxStreams { get; init; } = 1024;

    /// <summary>Streams stepped together in one batched step (1..65,536; default 64).</summary>
    public int MaxBatch { get; init; } = 64;

    /// <summary>How long the batcher may hold a frame hoping for a fuller batch, in microseconds (0..1,000,000; default 200).</summary>
    public int MaxQueueDelayMicroseconds { get; init; } = 200;

    /// <summary>A stream no frame named for this many seconds is freed (0 for never; default 60).</summary>
    public int IdleTimeoutSeconds { get; init; } = 60;

    /// <summary>Threads of one batched step (1..64; default 1).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>How long to run throwaway batched steps at start (<see cref="FastRnn.Serving.StreamBatcher.WarmUp"/>), after the self-check and
    /// before /healthz reports ok, in milliseconds (0..60,000; default 1000; 0 runs one round of batch sizes).</summary>
    public int WarmUpMilliseconds { get; init; } = 1000;

    /// <summary>Addresses to listen on (semicolon-separated, as ASP.NET Core's <c>--urls</c>), or null for the host's default.</summary>
    public string? Urls { get; init; }

    /// <summary>Runs the start-up self-check; tests replace it to hold /healthz in its "running" state.</summary>
    internal Func<SelfCheckReport> SelfCheckRunner { get; init; } = SelfCheck.Run;

    /// <summary>Reads the options from the command line (<c>--name value</c> or <c>--name=value</c>).</summary>
    /// <param name="args">The arguments after the command.</param>
    /// <returns>The options, checked.</returns>
    /// <exception cref="ServerOptionsException">An option is unknown, lacks its value, or is out of range (the message names it).</exception>
    public static ServerOptions Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? model = null, rnnPrefix = null, headPrefix = null, urls = null;
        HeadActivation? activation = null;
        RnnNonlinearity? nonlinearity = null;
        WeightFormat? weights = null;
        bool ignoreOthers = false;
        int maxStreams = 1024, maxBatch = 64, delay = 200, idle = 60, threads = 1, warmUp = 1000;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            string name = equals > 0 && arg.StartsWith("--", StringComparison.Ordinal) ? arg[..equals] : arg;
            string? inline = equals > 0 && arg.StartsWith("--", StringComparison.Ordinal) ? arg[(equals + 1)..] : null;
            string Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new ServerOptionsException($"{name} needs a value.");
                }

                return args[++i];
            }

            switch (name)
            {
                case "--model": model = Value(); break;
                case "--rnn-prefix": rnnPrefix = Value(); break;
                case "--head-prefix": headPrefix = Value(); break;
                case "--head-activation": activation = Choice(name, Value(), ["none", "sigmoid", "softmax"], [HeadActivation.None, HeadActivation.Sigmoid, HeadActivation.Softmax]); break;
                case "--nonlinearity": nonlinearity = Choice(name, Value(), ["tanh", "relu"], [RnnNonlinearity.Tanh, RnnNonlinearity.Relu]); break;
                case "--weights": weights = Choice(name, Value(), ["fp32", "bf16", "int8"], [WeightFormat.Float32, WeightFormat.BFloat16, WeightFormat.Int8]); break;
                case "--ignore-other-tensors":
                    if (inline is not null)
                    {
                        throw new ServerOptionsException("--ignore-other-tensors takes no value.");
                    }

                    ignoreOthers = true;
                    break;
                case "--max-streams": maxStreams = Integer(name, Value(), 1, 1 << 20); break;
                case "--max-batch": maxBatch = Integer(name, Value(), 1, 1 << 16); break;
                case "--max-queue-delay-us": delay = Integer(name, Value(), 0, 1_000_000); break;
                case "--idle-timeout-s": idle = Integer(name, Value(), 0, int.MaxValue / 1000); break;
                case "--threads": threads = Integer(name, Value(), 1, 64); break;
                case "--warmup-ms": warmUp = Integer(name, Value(), 0, 60_000); break;
                case "--urls": urls = Value(); break;
                default:
                    throw new ServerOptionsException($"Unknown option '{arg}'. Options: --model, --rnn-prefix, --head-prefix, --head-activation, --nonlinearity, --ignore-other-tensors, --weights, --max-streams, --max-batch, --max-queue-delay-us, --idle-timeout-s, --threads, --warmup-ms, --urls.");
            }
        }

        if (model is null)
        {
            throw new ServerOptionsException("--model FILE is required: a FastRnn network file, or with --rnn-prefix a PyTorch module's state_dict.");
        }

        var options = new ServerOptions
        {
            ModelPath = model, RnnPrefix = rnnPrefix, HeadPrefix = headPrefix, HeadActivation = activation ?? HeadActivation.None,
            Nonlinearity = nonlinearity, IgnoreOtherTensors = ignoreOthers, Weights = weights, MaxStreams = maxStreams, MaxBatch = maxBatch,
            MaxQueueDelayMicroseconds = delay, IdleTimeoutSeconds = idle, Threads = threads, WarmUpMilliseconds = warmUp, Urls = urls,
        };
        if (activation is not null && headPrefix is null)
        {
            throw new ServerOptionsException("--head-activation applies to a module's head: give --head-prefix too.");
        }

        options.Validate();
        return options;
    }

    /// <summary>Checks the options that do not depend on the model.</summary>
    /// <exception cref="ServerOptionsException">An option is out of range or does not fit the others (the message names it).</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelPath))
        {
            throw new ServerOptionsException("--model FILE is required.");
        }

        if (RnnPrefix is null && (HeadPrefix is not null || Nonlinearity is not null || IgnoreOtherTensors))
        {
            throw new ServerOptionsException("--head-prefix, --nonlinearity and --ignore-other-tensors describe a PyTorch module: give --rnn-prefix too (the recurrent layer's prefix, e.g. rnn.).");
        }

        Range("--max-streams", MaxStreams, 1, 1 << 20);
        Range("--max-batch", MaxBatch, 1, 1 << 16);
        Range("--max-queue-delay-us", MaxQueueDelayMicroseconds, 0, 1_000_000);
        Range("--idle-timeout-s", IdleTimeoutSeconds, 0, int.MaxValue / 1000);
        Range("--threads", Threads, 1, 64);
        Range("--warmup-ms", WarmUpMilliseconds, 0, 60_000);
    }

    private static void Range(string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            throw new ServerOptionsException($"{name} must be in {min}..{max}, got {value}.");
        }
    }

    private static int Integer(string name, string text, int min, int max)
    {
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
        {
            throw new ServerOptionsException($"{name} expects an integer in {min}..{max}, got '{text}'.");
        }

        Range(name, value, min, max);
        return value;
    }

    [SuppressMessage("Globalization", "CA1308:Normalize strings to uppercase", Justification = "Option values are lower-case words.")]
    private static T Choice<T>(string name, string text, string[] words, T[] values)
    {
        int index = Array.IndexOf(words, text.ToLowerInvariant());
        if (index < 0)
        {
            throw new ServerOptionsException($"{name} expects one of {string.Join(" | ", words)}, got '{text}'.");
        }

        return values[index];
    }
}

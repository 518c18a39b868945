using System;

namespace FastRnn.Cli.LoadTest;

/// <summary>What a load test sends, whatever it sends to: checked by the command before a run starts.</summary>
internal sealed record LoadTestSettings
{
    /// <summary>Concurrent streams.</summary>
    public required int Streams { get; init; }

    /// <summary>Measured frames per stream.</summary>
    public required int Frames { get; init; }

    /// <summary>Milliseconds between a stream's frames; 0 for the next frame as soon as the last is answered.</summary>
    public required int IntervalMs { get; init; }

    /// <summary>Frames per stream sent before the measured ones and left out of every figure.</summary>
    public int WarmupFrames { get; init; }

    /// <summary>The run stops after this many seconds even if frames are still due or unanswered.</summary>
    public int TimeoutSeconds { get; init; } = 120;

    /// <summary>Seed of the frames' values.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Frames a stream may have unanswered when its next one is due; beyond it the frame is skipped.</summary>
    public int Window { get; init; } = 64;

    /// <summary>
    /// Streams that share one WebSocket connection to <c>/v1/streams</c> and one clock (their frames go
    /// in one message per interval), or null for one connection per stream to <c>/v1/stream</c>.
    /// </summary>
    public int? StreamsPerConnection { get; init; }

    /// <summary>What runs on a clock of its own: the connections, or without <see cref="StreamsPerConnection"/> the streams.</summary>
    public int Connections => StreamsPerConnection is int k ? (Streams + k - 1) / k : Streams;

    /// <summary>Frames each stream sends, warm-up included.</summary>
    public int FramesPerStream => WarmupFrames + Frames;

    /// <summary>The window in effect: one frame in flight when frames follow answers.</summary>
    public int EffectiveWindow => IntervalMs == 0 ? 1 : Window;

    /// <summary>The index of connection <paramref name="connection"/>'s first stream.</summary>
    public int FirstStreamOf(int connection) => connection * (StreamsPerConnection ?? 1);

    /// <summary>Streams on connection <paramref name="connection"/>: <see cref="StreamsPerConnection"/>, fewer on the last.</summary>
    public int StreamsOf(int connection) => Math.Min(StreamsPerConnection ?? 1, Streams - FirstStreamOf(connection));
}

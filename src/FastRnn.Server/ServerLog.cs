using Microsoft.Extensions.Logging;

namespace FastRnn.Server;

/// <summary>The service's log lines, as compiled message templates (structured, and no formatting when the level is off).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(1, LogLevel.Information,
        "Serving {Model}: {Cell} input {InputSize}, hidden {HiddenSize}, {Layers} layer(s), output {OutputSize} ({Head}), weights {Weights}, ISA {Isa}; max streams {MaxStreams}, max batch {MaxBatch}, queue delay {QueueDelayMicroseconds} us, idle timeout {IdleTimeoutSeconds} s, threads {Threads}; listening on {Urls}")]
    public static partial void Started(ILogger logger, string model, string cell, int inputSize, int hiddenSize, int layers, int outputSize, string head, string weights, string isa,
        int maxStreams, int maxBatch, int queueDelayMicroseconds, int idleTimeoutSeconds, int threads, string urls);

    [LoggerMessage(2, LogLevel.Warning, "Connection {ConnectionId} refused: {Reason}")]
    public static partial void Refused(ILogger logger, long connectionId, string reason);

    [LoggerMessage(3, LogLevel.Warning, "Connection {ConnectionId} closed with {Status}: {Reason}")]
    public static partial void Rejected(ILogger logger, long connectionId, int status, string reason);

    [LoggerMessage(4, LogLevel.Debug, "Connection {ConnectionId} opened {Stream}")]
    public static partial void Opened(ILogger logger, long connectionId, string stream);

    [LoggerMessage(5, LogLevel.Debug, "Connection {ConnectionId} ended ({Reason}) after {Frames} frame(s)")]
    public static partial void Ended(ILogger logger, long connectionId, string reason, long frames);

    [LoggerMessage(6, LogLevel.Information, "Shutting down: closing {Connections} open connection(s) with 1001")]
    public static partial void ShuttingDown(ILogger logger, int connections);

    [LoggerMessage(7, LogLevel.Information, "Self-check on {Isa}: {Passed} passed, {Failed} failed")]
    public static partial void SelfCheckDone(ILogger logger, string isa, int passed, int failed);

    [LoggerMessage(8, LogLevel.Error, "Self-check could not run")]
    public static partial void SelfCheckCrashed(ILogger logger, System.Exception exception);

    [LoggerMessage(10, LogLevel.Information, "Warmed up: {Steps} throwaway batched steps in {Milliseconds:F0} ms")]
    public static partial void WarmedUp(ILogger logger, int steps, double milliseconds);

    [LoggerMessage(9, LogLevel.Information, "Stopped: batcher disposed")]
    public static partial void Stopped(ILogger logger);
}

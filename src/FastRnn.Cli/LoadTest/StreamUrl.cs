using System;
using System.Net;

namespace FastRnn.Cli.LoadTest;

/// <summary>
/// The WebSocket address of a server's streams from its base address:
/// <c>http://127.0.0.1:5000</c> → <c>ws://127.0.0.1:5000/v1/stream</c> (https → wss). Only this
/// machine unless remote hosts are allowed: a load test must not hit another machine by mistake.
/// </summary>
internal static class StreamUrl
{
    /// <summary>The path of the streaming endpoint under the base address.</summary>
    public const string StreamPath = "/v1/stream";

    /// <summary>The path of the multiplexed endpoint, many streams a connection.</summary>
    public const string MultiplexPath = "/v1/streams";

    /// <summary>The URL of <paramref name="path"/> for <paramref name="text"/>, or null with <paramref name="problem"/> naming what is wrong.</summary>
    public static Uri? From(string text, bool allowRemote, out string? problem, string path = StreamPath)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            problem = $"--url must be a server's base address such as http://127.0.0.1:5000 (http or https), got '{text}'";
            return null;
        }

        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            problem = $"--url must be a base address without a query or fragment (the client adds {path}), got '{text}'";
            return null;
        }

        if (!allowRemote && !IsLoopback(uri))
        {
            problem = $"--url must name this machine (127.0.0.1, [::1] or localhost) so a load test cannot hit another machine by mistake, got host '{uri.Host}'; add --allow-remote if you mean it";
            return null;
        }

        problem = null;
        var builder = new UriBuilder(uri)
        {
            Scheme = uri.Scheme == Uri.UriSchemeHttps ? "wss" : "ws",
            Path = uri.AbsolutePath.TrimEnd('/') + path,
        };
        return builder.Uri;
    }

    private static bool IsLoopback(Uri uri) =>
        string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? address) && IPAddress.IsLoopback(address));
}

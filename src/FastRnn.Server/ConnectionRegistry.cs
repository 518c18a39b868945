using System.Collections.Generic;

namespace FastRnn.Server;

/// <summary>
/// The open connections, so shutdown can close each with 1001 and a sweep those idle past the
/// timeout with 1008. Once shutdown has begun it takes no more: a connection accepted after that is
/// closed by its own handler. Touched twice per connection and once per sweep, never per frame, so
/// a plain lock is enough.
/// </summary>
internal sealed class ConnectionRegistry
{
    private readonly object gate = new();
    private readonly Dictionary<long, WebSocketConnection> open = [];
    private bool stopping;

    public bool IsStopping
    {
        get
        {
            lock (gate)
            {
                return stopping;
            }
        }
    }

    /// <summary>Adds a connection; false once shutdown has begun.</summary>
    public bool TryAdd(WebSocketConnection connection)
    {
        lock (gate)
        {
            if (stopping)
            {
                return false;
            }

            open.Add(connection.Id, connection);
            return true;
        }
    }

    public void Remove(long id)
    {
        lock (gate)
        {
            open.Remove(id);
        }
    }

    /// <summary>Closes, with 1008, every connection whose client sent nothing for longer than <paramref name="idleTicks"/> (a sweep a few times per idle timeout).</summary>
    public void CloseIdle(long idleTicks)
    {
        WebSocketConnection[] connections;
        lock (gate)
        {
            connections = [.. open.Values];
        }

        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (WebSocketConnection connection in connections)
        {
            connection.CloseIfIdle(now, idleTicks);
        }
    }

    /// <summary>Refuses new connections and sends 1001 to every open one; returns how many it closed.</summary>
    public int CloseAll()
    {
        WebSocketConnection[] connections;
        lock (gate)
        {
            stopping = true;
            connections = [.. open.Values];
        }

        foreach (WebSocketConnection connection in connections)
        {
            connection.BeginShutdown();
        }

        return connections.Length;
    }
}

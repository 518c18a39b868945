using System;

namespace FastRnn.Cli.Tasks;

/// <summary>
/// Progress reported on the calling thread, at once: the progress display draws each batch as it
/// ends (<see cref="Progress{T}"/> would post to the thread pool, out of order and possibly late).
/// </summary>
internal static class ImmediateProgress
{
    public static IProgress<T>? Of<T>(Action<T>? report) => report is null ? null : new Reporter<T>(report);

    private sealed class Reporter<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

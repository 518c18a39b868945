using System.Diagnostics;
using FastRnn.Memory;
using Xunit;

namespace FastRnn.Tests.Memory;

/// <summary>
/// The wait of a barrier or a join polls until its bound and then backs off (yielding the core),
/// and one that may not poll backs off from its first pause.
/// </summary>
public sealed class ShortWaitTests
{
    [Fact]
    public void WithoutPollingItBacksOffAtOnce()
    {
        var wait = new ShortWait(poll: false, Stopwatch.Frequency);
        Assert.False(wait.Polling);
        wait.Pause();
        Assert.False(wait.Polling);
    }

    [Fact]
    public void PollsUntilItsBoundThenBacksOff()
    {
        var wait = new ShortWait(poll: true, spinTicks: 0);
        Assert.True(wait.Polling);

        // The bound is looked at every 128th pause: a spent bound ends the polling there, not before.
        for (int i = 1; i < 128; i++)
        {
            wait.Pause();
            Assert.True(wait.Polling, $"still polling after {i} pauses");
        }

        wait.Pause();
        Assert.False(wait.Polling);
        wait.Pause();
        Assert.False(wait.Polling);
    }

    [Fact]
    public void KeepsPollingWithinItsBound()
    {
        var wait = new ShortWait(poll: true, spinTicks: 60 * Stopwatch.Frequency);
        for (int i = 0; i < 1000; i++)
        {
            wait.Pause();
        }

        Assert.True(wait.Polling);
    }
}

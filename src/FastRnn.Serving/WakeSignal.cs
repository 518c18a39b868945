using System;
using System.Threading;

namespace FastRnn.Serving;

/// <summary>
/// An auto-reset wake-up for the batching loop: a signal sent while the loop is busy is kept, so
/// none is lost between the loop's last look at its queues and its wait. A monitor rather than a
/// timer for the queue delay: nothing to dispose, and a timed wait allocates nothing.
/// </summary>
internal sealed class WakeSignal
{
    private readonly object gate = new();
    private bool signaled;

    public void Signal()
    {
        if (Volatile.Read(ref signaled))
        {
            return;
        }

        lock (gate)
        {
            signaled = true;
            Monitor.Pulse(gate);
        }
    }

    /// <summary>Returns when a signal was sent since the last return (and consumes it), or after <paramref name="timeout"/> (infinite for never).</summary>
    public void Wait(TimeSpan timeout)
    {
        lock (gate)
        {
            if (timeout == Timeout.InfiniteTimeSpan)
            {
                while (!signaled)
                {
                    Monitor.Wait(gate);
                }
            }
            else if (!signaled)
            {
                // The caller looks at its clock again after any return, so an early one is harmless.
                Monitor.Wait(gate, timeout);
            }

            signaled = false;
        }
    }
}

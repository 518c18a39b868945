using System.Diagnostics;
using System.Threading;

namespace FastRnn.Memory;

/// <summary>
/// The pause between two looks at a flag that another core is about to set (the end of a step's
/// barrier, the parts of a run finishing): polls every few dozen nanoseconds for up to a bound, then
/// backs off as <see cref="SpinWait"/> does, yielding the core and never sleeping a whole millisecond.
/// </summary>
/// <remarks>
/// <see cref="SpinWait"/> alone starts yielding after about a microsecond and doubles its pauses
/// before that, so a wait of a few microseconds (one share of a step finishing before the other)
/// ends in <c>sched_yield</c> calls and notices the flag late; where a system call is expensive (a
/// virtual machine) that is a share of every step. Polling without yielding is only for parts that
/// fit the machine's cores: with more parts than cores the core is offered at once.
/// </remarks>
internal struct ShortWait
{
    private readonly long spinTicks;
    private bool poll;
    private long until;
    private int polls;
    private SpinWait backOff;

    /// <summary>A wait that polls for up to <paramref name="spinTicks"/> <see cref="Stopwatch"/> ticks when <paramref name="poll"/>, else backs off at once.</summary>
    public ShortWait(bool poll, long spinTicks)
    {
        this.poll = poll;
        this.spinTicks = spinTicks;
    }

    /// <summary>Whether the wait still polls (false once past its bound, or from the start without polling): the caller may block instead.</summary>
    public readonly bool Polling => poll;

    /// <summary>Pauses once before the caller looks at its flag again.</summary>
    public void Pause()
    {
        if (poll)
        {
            if (polls == 0)
            {
                until = Stopwatch.GetTimestamp() + spinTicks;
            }

            if ((++polls & 127) != 0)
            {
                Thread.SpinWait(2);
                return;
            }

            // Every 128 polls (several microseconds): the core is offered, as the workers' wait for a
            // run offers it (a service's other threads may be waiting for it), and the bound checked.
            if (Stopwatch.GetTimestamp() < until)
            {
                Thread.Yield();
                return;
            }

            poll = false;
        }

        backOff.SpinOnce(sleep1Threshold: -1);
    }
}

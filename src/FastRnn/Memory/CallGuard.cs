using System;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Threading;

namespace FastRnn.Memory;

/// <summary>
/// One call at a time on an object that owns buffers (and maybe worker threads), and a dispose that
/// never pulls them from under a call in progress: disposing during a call only marks the object,
/// and the call releases what it owns when it returns. Held as a field and used in place (a
/// struct, so a call pays two interlocked operations and nothing else).
/// </summary>
internal struct CallGuard
{
    private const int Free = 0;
    private const int Busy = 1;
    private const int Disposed = 2;
    private const int DisposeAfterCall = 3; // disposed while a call ran: that call releases on return

    private int state;

    /// <summary>Whether <see cref="Dispose"/> has been called.</summary>
    public readonly bool IsDisposed => Volatile.Read(in state) >= Disposed;

    /// <summary>Refuses a call once the owner is disposed, before the call checks its arguments.</summary>
    /// <param name="owner">The owner's type name, for the message.</param>
    public readonly void ThrowIfDisposed(string owner)
    {
        if (IsDisposed)
        {
            Refuse(Disposed, owner, string.Empty);
        }
    }

    /// <summary>Marks a call running, or refuses it: one running already, or the owner disposed.</summary>
    /// <param name="owner">The owner's type name, for the disposed message.</param>
    /// <param name="inUse">What to say when another call is running.</param>
    public void Enter(string owner, string inUse)
    {
        int was = Interlocked.CompareExchange(ref state, Busy, Free);
        if (was != Free)
        {
            Refuse(was, owner, inUse);
        }
    }

    /// <summary>Marks the call done.</summary>
    /// <returns>True when the owner was disposed during the call: the caller releases its resources now.</returns>
    public bool Exit()
    {
        int was = Interlocked.CompareExchange(ref state, Free, Busy);
        if (was == Busy)
        {
            return false;
        }

        Debug.Assert(was == DisposeAfterCall, "Exit without a matching Enter");
        Volatile.Write(ref state, Disposed); // was DisposeAfterCall: only this call's thread changes it now
        return true;
    }

    /// <summary>Marks the owner disposed; idempotent.</summary>
    /// <returns>True when the caller releases the owner's resources now; false when it was disposed
    /// before, or when a call is running (that call releases them when it returns).</returns>
    public bool Dispose()
    {
        while (true)
        {
            int now = Volatile.Read(ref state);
            if (now == Free && Interlocked.CompareExchange(ref state, Disposed, Free) == Free)
            {
                return true;
            }

            if (now == Busy && Interlocked.CompareExchange(ref state, DisposeAfterCall, Busy) == Busy)
            {
                return false;
            }

            if (now >= Disposed)
            {
                return false;
            }
        }
    }

    [DoesNotReturn]
    private static void Refuse(int was, string owner, string inUse)
    {
        if (was == Busy)
        {
            throw new InvalidOperationException(inUse);
        }

        throw new ObjectDisposedException(owner, $"This {owner} has been disposed (its worker threads are stopped); create another from the network.");
    }
}

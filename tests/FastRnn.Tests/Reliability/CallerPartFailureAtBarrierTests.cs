using System;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.Memory;
using Xunit;

namespace FastRnn.Tests.Reliability;

/// <summary>
/// A run whose first failure is in the caller's own part (part 0) while the workers wait for it at a
/// barrier: the workers are released (they give up at the barrier), and the call fails with the
/// caller's exception, not with the cancellation the workers saw because of it.
/// </summary>
public sealed class CallerPartFailureAtBarrierTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task TheCallersFailureIsRethrownAsItselfWhenWorkersWaitAtABarrier(int count)
    {
        var parts = new ParallelParts(count);
        try
        {
            void Body(int part)
            {
                if (part == 0)
                {
                    Thread.Sleep(5); // the workers are at the barrier by now
                    throw new ArgumentException("caller's part failed");
                }

                parts.Barrier(); // part 0 never arrives
            }

            // Bounded: a run that hung would fail here, not stall the suite.
            Exception? e = await Task.Run(() => Record(() => parts.Run(Body, count)), TestContext.Current.CancellationToken)
                .WaitAsync(Bound, TestContext.Current.CancellationToken);
            Assert.True(e is ArgumentException { Message: "caller's part failed" }, $"expected the caller's ArgumentException, got {e}");

            // The same parts still run, barriers included.
            int ran = 0;
            parts.Run(
                _ =>
                {
                    parts.Barrier();
                    Interlocked.Increment(ref ran);
                },
                count);
            Assert.Equal(count, ran);
        }
        finally
        {
            parts.Stop();
        }
    }

    private static Exception? Record(Action action)
    {
        try
        {
            action();
            return null;
        }
#pragma warning disable CA1031 // the test inspects whatever the run threw
        catch (Exception e)
#pragma warning restore CA1031
        {
            return e;
        }
    }
}

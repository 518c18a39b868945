using System;
using FastRnn.Memory;
using Xunit;

namespace FastRnn.Tests.Memory;

/// <summary>
/// The shares of rows among threads of unequal speed: they cover the range exactly and in order,
/// follow a part that is steadily slower, and move only a little for one slow run.
/// </summary>
public sealed class PartBalanceTests
{
    [Theory]
    [InlineData(1, 7)]
    [InlineData(2, 16)]
    [InlineData(3, 37)]
    [InlineData(4, 3)]
    public void EqualSpeedsShareEvenlyAndCoverTheRangeExactly(int parts, int total)
    {
        var balance = new PartBalance(parts);
        int next = 0;
        for (int p = 0; p < parts; p++)
        {
            (int first, int end) = balance.Share(total, parts, p);
            Assert.Equal(next, first);
            Assert.InRange(end - first, total / parts, (total / parts) + 1);
            next = end;
        }

        Assert.Equal(total, next);
    }

    [Fact]
    public void APartThatIsSteadilySlowerGetsFewerItems()
    {
        var balance = new PartBalance(2);
        for (int run = 0; run < 40; run++)
        {
            Run(balance, 16, fast: 0, slowdown: 1.5);
        }

        // Speeds 1.2 and 0.8 after enough runs: 16 items share 9.6 / 6.4.
        Assert.InRange(balance.SpeedOf(0), 1.15, 1.25);
        Assert.InRange(balance.SpeedOf(1), 0.75, 0.85);
        Assert.Equal((0, 10), balance.Share(16, 2, 0));
        Assert.Equal((10, 16), balance.Share(16, 2, 1));
    }

    [Fact]
    public void OneSlowRunMovesTheSplitALittle()
    {
        var balance = new PartBalance(2);
        balance.Record(0, 1_000, 8);
        balance.Record(1, 1_000_000, 8); // preempted for a long time once
        balance.Update(2);

        // Each part's measurement counts as at most MaxRatio times off the mean, a quarter of the way:
        // speeds 1.25 and 0.875 before they are scaled back to a mean of 1, 1.18 and 0.82 after.
        Assert.InRange(balance.SpeedOf(1), 0.8, 0.85);
        Assert.Equal((0, 9), balance.Share(16, 2, 0));
    }

    [Fact]
    public void ARunWithAPartUnmeasuredChangesNothing()
    {
        var balance = new PartBalance(3);
        balance.Record(0, 100, 4);
        balance.Record(1, 300, 4);
        balance.Record(2, 0, 0); // no items
        balance.Update(3);
        Assert.Equal(1.0, balance.SpeedOf(0));
        Assert.Equal(1.0, balance.SpeedOf(1));

        // The slots were cleared: a later run of two parts sees only what it recorded.
        balance.Record(0, 100, 4);
        balance.Record(1, 100, 4);
        balance.Update(2);
        Assert.Equal(1.0, balance.SpeedOf(0));
    }

    [Fact]
    public void FewerPartsThanTheBalanceKnowsShareAmongThemselves()
    {
        var balance = new PartBalance(4);
        for (int run = 0; run < 40; run++)
        {
            Run(balance, 12, fast: 1, slowdown: 2);
        }

        Assert.True(balance.SpeedOf(1) > balance.SpeedOf(0));
        (int first0, int end0) = balance.Share(12, 2, 0);
        (int first1, int end1) = balance.Share(12, 2, 1);
        Assert.Equal(0, first0);
        Assert.Equal(end0, first1);
        Assert.Equal(12, end1);
        Assert.True(end1 - first1 > end0 - first0, $"the faster part got {end1 - first1} of 12");
    }

    [Fact]
    public void APartCountBelowOneIsRefused() =>
        Assert.Equal("parts", Assert.Throws<ArgumentOutOfRangeException>(() => new PartBalance(0)).ParamName);

    // One run of two parts over `total` items as the balance shares them: the part `fast` takes
    // 100 ticks an item, the other `slowdown` times that.
    private static void Run(PartBalance balance, int total, int fast, double slowdown)
    {
        for (int p = 0; p < 2; p++)
        {
            (int first, int end) = balance.Share(total, 2, p);
            double perItem = p == fast ? 100 : 100 * slowdown;
            balance.Record(p, (long)((end - first) * perItem), end - first);
        }

        balance.Update(2);
    }
}

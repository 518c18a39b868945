using System;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.Networks;
using FastRnn.Serving;
using Xunit;

namespace FastRnn.Tests.Serving;

/// <summary>
/// A stream's state misused: destinations that share memory, and state bytes that change while
/// they are imported (the caller's race), which must open nothing.
/// </summary>
public sealed class BatcherStateMisuseTests
{
    private static readonly RecurrentNetwork Lstm = ServingFixtures.Create(new NetworkDescription(CellKind.Lstm, 3, 4), 77);

    [Fact]
    public void GetStateRefusesAHiddenAndCellDestinationSharingMemory()
    {
        using var batcher = new StreamBatcher(Lstm, new StreamBatcherOptions { MaxStreams = 1, MaxBatch = 1 });
        StreamHandle stream = batcher.Open([1, 2, 3, 4], [5, 6, 7, 8]);
        float[] both = new float[6];

        // As StreamingSession.GetState does: otherwise the cell state overwrites half the hidden state, silently.
        var error = Assert.Throws<ArgumentException>(() => batcher.GetState(stream, both.AsSpan(0, 4), both.AsSpan(2, 4)));
        Assert.Equal("cell", error.ParamName);
        Assert.Contains("overlap", error.Message, StringComparison.Ordinal);
        Assert.All(both, value => Assert.Equal(0f, value));
    }

    [Fact]
    public async Task AStateWhoseBytesChangeWhileItIsImportedOpensNothing()
    {
        // The bytes are checked once before a slot is taken and again after: a refusal the second time
        // left the slot open, with no handle to close it (for ever without an idle timeout).
        using var batcher = new StreamBatcher(Lstm, new StreamBatcherOptions { MaxStreams = 4, MaxBatch = 1 });
        byte[] state = batcher.ExportState(batcher.Open());
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var corrupter = Task.Run(
            () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    Volatile.Write(ref state[0], (byte)'X');
                    Volatile.Write(ref state[0], (byte)'F');
                }
            },
            TestContext.Current.CancellationToken);
        int imported = 0, refused = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                int before = batcher.OpenStreams;
                try
                {
                    Assert.True(batcher.Close(batcher.ImportState(state)));
                    imported++;
                }
                catch (FastRnnFormatException)
                {
                    refused++;
                    Assert.True(before == batcher.OpenStreams, $"a refused import left a stream open ({before} -> {batcher.OpenStreams} open) after {imported} imports and {refused} refusals");
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await corrupter.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        }

        Assert.Equal(1, batcher.OpenStreams);
    }
}

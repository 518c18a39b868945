using System;
using System.Threading;
using System.Threading.Tasks;
using FastRnn.Diagnostics;
using FastRnn.Networks;
using FastRnn.Sessions;
using Xunit;

namespace FastRnn.Tests.Diagnostics;

/// <summary>
/// SelfCheck.Run touches no shared state: two runs at once report exactly what one run alone does,
/// and a session stepping on another thread meanwhile gives the same bits as without them.
/// </summary>
public sealed class SelfCheckConcurrencyTests
{
    [Fact]
    public async Task TwoRunsAtOnceAndASteppingSessionGiveTheResultsOfEachAlone()
    {
        var description = new NetworkDescription(CellKind.Lstm, 7, 19) { NumLayers = 2 };
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(description, 5);
        float[] alone = Stream(network, new CancellationToken(canceled: true), out _);
        SelfCheckReport reference = SelfCheck.Run();

        using var done = new CancellationTokenSource();
        int steps = 0;
        Task<float[]> stepping = Task.Factory.StartNew(() => Stream(network, done.Token, out steps), TaskCreationOptions.LongRunning);
        SelfCheckReport[] reports = await Task.WhenAll(Task.Run(SelfCheck.Run), Task.Run(SelfCheck.Run));
        await done.CancelAsync();
        float[] together = await stepping;

        Assert.True(steps > 1, "the session stepped only once while the checks ran");
        Assert.Equal(alone, together);
        foreach (SelfCheckReport report in reports)
        {
            Assert.True(report.AllPassed);
            Assert.Equal(reference.Rows.Count, report.Rows.Count);
            for (int i = 0; i < report.Rows.Count; i++)
            {
                Assert.Equal(reference.Rows[i].Operation, report.Rows[i].Operation);
                Assert.Equal(BitConverter.DoubleToInt64Bits(reference.Rows[i].MaxError), BitConverter.DoubleToInt64Bits(report.Rows[i].MaxError));
            }
        }
    }

    // The same 40 frames over and over from a fresh state (at least once); the last pass's outputs.
    private static float[] Stream(RecurrentNetwork network, CancellationToken stop, out int passes)
    {
        NetworkDescription d = network.Description;
        float[] outputs = new float[40 * d.OutputSize];
        float[] frame = new float[d.InputSize];
        passes = 0;
        do
        {
            using StreamingSession session = network.CreateSession();
            for (int t = 0; t < 40; t++)
            {
                for (int i = 0; i < frame.Length; i++)
                {
                    frame[i] = MathF.Sin((t * 0.7f) + i);
                }

                session.Step(frame, 1, outputs.AsSpan(t * d.OutputSize, d.OutputSize));
            }

            passes++;
        }
        while (!stop.IsCancellationRequested);
        return outputs;
    }
}

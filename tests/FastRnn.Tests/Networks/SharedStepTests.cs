using System;
using System.Collections.Generic;
using FastRnn.Cells;
using FastRnn.Kernels;
using FastRnn.Memory;
using FastRnn.Layers;
using FastRnn.Networks;
using FastRnn.Sessions;
using FastRnn.Training;
using Xunit;

namespace FastRnn.Tests.Networks;

/// <summary>
/// One stream on several threads: a step's products shared by output panels give bit-identical
/// results to one thread, for every cell kind and weight format, streaming and whole-sequence,
/// forward and (through the training forward) backward. The layers are large enough that the
/// products really are split (asserted), and small enough for a unit test.
/// </summary>
public sealed class SharedStepTests
{
    private const int Input = 48, Hidden = 280, Steps = 6; // every session step here is split: at least 2 x 128 Ki multiply-adds

    public static TheoryData<string, WeightFormat> Cells()
    {
        var data = new TheoryData<string, WeightFormat>();
        foreach (string cell in new[] { "lstm", "lstm-peephole", "lstm-projection", "gru", "gru-reset-before", "rnn-tanh", "rnn-relu" })
        {
            foreach (WeightFormat format in new[] { WeightFormat.Float32, WeightFormat.BFloat16, WeightFormat.Int8 })
            {
                data.Add(cell, format);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void StreamingStepsAreBitIdenticalOnOneTwoAndThreeThreads(string cell, WeightFormat format)
    {
        RecurrentNetwork network = Network(cell, bidirectional: false).WithWeightFormat(format);
        NetworkDescription d = network.Description;
        float[] input = Inputs(Steps * d.InputSize, 1);
        float[]? expected = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            StreamingSession session = network.CreateSession(threads: threads);
            float[] outputs = new float[Steps * d.StateSize];
            for (int t = 0; t < Steps; t++)
            {
                session.Step(input.AsSpan(t * d.InputSize, d.InputSize), 1, outputs.AsSpan(t * d.StateSize, d.StateSize));
            }

            float[] state = new float[d.NumLayers * d.StateSize];
            float[] cellState = new float[d.HasCellState ? d.NumLayers * d.HiddenSize : 0];
            session.GetState(state, cellState, 1);
            float[] all = [.. outputs, .. state, .. cellState];
            if (expected is null)
            {
                expected = all;
            }
            else
            {
                Assert.True(expected.AsSpan().SequenceEqual(all), $"{cell} {format}: {threads} threads differ from 1");
            }
        }
    }

    [Theory]
    [InlineData("lstm", false)]
    [InlineData("lstm-projection", true)]
    [InlineData("gru", true)]
    [InlineData("gru-reset-before", false)]
    [InlineData("rnn-tanh", true)]
    public void WholeSequencesOfOneStreamAreBitIdenticalOnOneAndTwoThreads(string cell, bool bidirectional)
    {
        RecurrentNetwork network = Network(cell, bidirectional);
        NetworkDescription d = network.Description;

        // One stream on 2 threads, and two streams of different lengths on 3 (fewer rows than threads,
        // so the steps are shared, while a row ends before the other), final h and c included: the
        // shared steps alternate two state buffers, in place once a row has ended.
        foreach ((int batch, int[] lengths) in new[] { (1, new[] { Steps - 1 }), (2, new[] { Steps - 1, Steps - 3 }) })
        {
            float[] input = Inputs(Steps * batch * d.InputSize, 2);
            float[]? expected = null;
            foreach (int threads in new[] { 1, batch + 1 })
            {
                SequenceWorkspace workspace = network.CreateWorkspace(batch, Steps, threads);
                float[] output = new float[Steps * batch * d.OutputSize];
                float[] hn = new float[d.NumLayers * d.Directions * batch * d.StateSize];
                float[] cn = new float[d.HasCellState ? d.NumLayers * d.Directions * batch * d.HiddenSize : 0];
                network.Forward(workspace, input, Steps, batch, output, final: new FinalState(hn, cn), lengths: lengths);
                float[] all = [.. output, .. hn, .. cn];
                if (expected is null)
                {
                    expected = all;
                }
                else
                {
                    Assert.True(expected.AsSpan().SequenceEqual(all), $"{cell}, batch {batch}: {threads} threads differ from 1");
                }
            }
        }
    }

    [Theory]
    [InlineData("lstm-peephole")]
    [InlineData("lstm-projection")]
    [InlineData("gru")]
    [InlineData("gru-reset-before")]
    public void GradientsOfOneStreamAreBitIdenticalOnOneAndTwoThreads(string cell)
    {
        RecurrentNetwork network = Network(cell, bidirectional: false);
        NetworkDescription d = network.Description;
        float[] input = Inputs(Steps * d.InputSize, 3);
        float[] gradOutput = Inputs(Steps * d.OutputSize, 4);
        float[]? expected = null;
        foreach (int threads in new[] { 1, 2 })
        {
            var session = new TrainingSession(network, 1, Steps, threads: threads);
            var gradients = new GradientBuffer(network);
            float[] gradInput = new float[input.Length];
            session.Forward(input, Steps, 1, new float[gradOutput.Length]);
            session.Backward(gradOutput, gradients, gradInput: gradInput);
            var all = new List<float>(gradInput);
            foreach (string name in gradients.Names)
            {
                all.AddRange(gradients.Get(name).ToArray());
            }

            if (expected is null)
            {
                expected = [.. all];
            }
            else
            {
                Assert.True(expected.AsSpan().SequenceEqual(all.ToArray()), $"{cell}: 2 threads differ from 1");
            }
        }
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("lstm-projection")]
    [InlineData("gru")]
    [InlineData("gru-reset-before")]
    [InlineData("rnn-tanh")]
    public void TheseStepsAreReallySplitAndASmallOneIsNot(string cell)
    {
        RecurrentNetwork network = Network(cell, bidirectional: false);
        var threads = new StepThreads(new ParallelParts(3));
        Assert.True(threads.PartsFor(network.Cells[0], 1, withInput: true) >= 2, $"{cell}: one stream's session step is not split");
        Assert.True(StepThreads.SequencePartsFor(network.Cells[0], 1, 3) >= 2, $"{cell}: one sequence's step is not split");
        Assert.Equal(3, threads.PartsFor(network.Cells[0], 64, withInput: true));
        RecurrentNetwork small = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.Lstm, 16, 32), 1);
        Assert.Equal(1, threads.PartsFor(small.Cells[0], 1, withInput: true));
        Assert.Equal(1, StepThreads.SequencePartsFor(small.Cells[0], 1, 3));
    }

    [Fact]
    public void ASequenceSplitsAStepASessionKeepsWhole()
    {
        // 64 Ki multiply-adds in the recurrent product, 4 Ki in the input product: a session's step (hand-off,
        // join and copy-back every step) keeps it on one thread, a whole-sequence call (one barrier per step) shares it.
        RecurrentNetwork network = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.RnnTanh, 16, 256), 1);
        var threads = new StepThreads(new ParallelParts(2));
        Assert.Equal(1, threads.PartsFor(network.Cells[0], 1, withInput: true));
        Assert.Equal(2, StepThreads.SequencePartsFor(network.Cells[0], 1, 2));
        Assert.Equal(1, StepThreads.SequencePartsFor(network.Cells[0], 1, 1));
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void BatchedStepsAreBitIdenticalOnOneTwoAndThreeThreads(string cell, WeightFormat format)
    {
        RecurrentNetwork network = Network(cell, bidirectional: false).WithWeightFormat(format);
        NetworkDescription d = network.Description;

        // 5 rows are split by units; 37 by rows (two or three ranges, one ending in a part block of
        // four); the batch changes between calls, so rows that sat out a step keep their state.
        int[] batches = [37, 5, 37, 20, 37, 37];
        const int maxBatch = 37;
        float[] input = Inputs(batches.Length * maxBatch * d.InputSize, 6);
        float[]? expected = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            StreamingSession session = network.CreateSession(maxBatch, threads);
            float[] outputs = new float[batches.Length * maxBatch * d.StateSize];
            for (int t = 0; t < batches.Length; t++)
            {
                int batch = batches[t];
                session.Step(
                    input.AsSpan(t * maxBatch * d.InputSize, batch * d.InputSize), batch, outputs.AsSpan(t * maxBatch * d.StateSize, batch * d.StateSize));
            }

            float[] state = new float[d.NumLayers * maxBatch * d.StateSize];
            float[] cellState = new float[d.HasCellState ? d.NumLayers * maxBatch * d.HiddenSize : 0];
            session.GetState(state, cellState, maxBatch);
            float[] all = [.. outputs, .. state, .. cellState];
            if (expected is null)
            {
                expected = all;
            }
            else
            {
                Assert.True(expected.AsSpan().SequenceEqual(all), $"{cell} {format}: {threads} threads differ from 1 (batches {string.Join(", ", batches)})");
            }
        }
    }

    [Theory]
    [InlineData("lstm-peephole")]
    [InlineData("lstm-projection")]
    [InlineData("gru")]
    [InlineData("gru-reset-before")]
    [InlineData("rnn-relu")]
    public void StepsThatLeaveTheNewStateInTheSpareBufferAgreeWithOneThread(string cell)
    {
        RecurrentNetwork network = Network(cell, bidirectional: false);
        NetworkDescription d = network.Description;
        const int maxBatch = 3;

        // Split by units; a step of every row leaves the new h in the spare buffer (the buffers swap),
        // a step of fewer rows copies it back (the others keep theirs). An odd number of swaps before
        // GetState, SetState and Reset, each followed by steps.
        int[] batches = [3, 2, 3, 3, 1, 3, 3];
        float[] input = Inputs(maxBatch * d.InputSize, 8);
        float[] setHidden = Inputs(d.NumLayers * maxBatch * d.StateSize, 9);
        float[] setCell = d.HasCellState ? Inputs(d.NumLayers * maxBatch * d.HiddenSize, 10) : [];
        float[]? expected = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            StreamingSession session = network.CreateSession(maxBatch, threads);
            var seen = new List<float>();
            float[] output = new float[maxBatch * d.StateSize];
            float[] state = new float[d.NumLayers * maxBatch * d.StateSize];
            float[] cellState = new float[d.HasCellState ? d.NumLayers * maxBatch * d.HiddenSize : 0];
            for (int round = 0; round < 3; round++)
            {
                foreach (int batch in batches)
                {
                    session.Step(input.AsSpan(0, batch * d.InputSize), batch, output.AsSpan(0, batch * d.StateSize));
                    seen.AddRange(output.AsSpan(0, batch * d.StateSize).ToArray());
                }

                session.GetState(state, cellState, maxBatch);
                seen.AddRange(state);
                seen.AddRange(cellState);
                if (round == 0)
                {
                    session.SetState(setHidden, setCell, maxBatch);
                }
                else
                {
                    session.Reset();
                }
            }

            float[] all = [.. seen];
            if (expected is null)
            {
                expected = all;
            }
            else
            {
                Assert.True(expected.AsSpan().SequenceEqual(all), $"{cell}: {threads} threads differ from 1");
            }
        }

        Assert.True(new StepThreads(new ParallelParts(2)).PartsFor(network.Cells[0], maxBatch, withInput: true) >= 2, $"{cell}: {maxBatch} rows are not split by units");
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("lstm-projection")]
    [InlineData("gru-reset-before")]
    [InlineData("rnn-tanh")]
    public void ALargeBatchIsSplitByRowsAndASmallOneByUnits(string cell)
    {
        CellWeights w = Network(cell, bidirectional: false).Cells[0];
        var threads = new StepThreads(new ParallelParts(3));
        Assert.Equal(3, threads.RowPartsFor(w, 64, withInput: true));
        Assert.Equal(2, threads.RowPartsFor(w, 37, withInput: true));
        Assert.Equal(1, threads.RowPartsFor(w, StepThreads.MinRowsPerPart * 2 - 1, withInput: true));
        Assert.Equal(1, threads.RowPartsFor(w, 5, withInput: true));
        Assert.True(threads.PartsFor(w, 5, withInput: true) >= 2, $"{cell}: 5 rows are not split by units");
        RecurrentNetwork small = RecurrentNetwork.CreateRandom(new NetworkDescription(CellKind.RnnTanh, 4, 8), 1);
        Assert.Equal(1, threads.RowPartsFor(small.Cells[0], 64, withInput: true)); // 64 rows of 96 multiply-adds: no split pays
    }

    [Fact]
    public void ASessionWithTwoThreadsStillStepsAfterItsWorkersWentToSleep()
    {
        RecurrentNetwork network = Network("gru", bidirectional: false);
        NetworkDescription d = network.Description;
        StreamingSession one = network.CreateSession();
        StreamingSession two = network.CreateSession(threads: 2);
        float[] x = Inputs(d.InputSize, 5);
        float[] a = new float[d.StateSize], b = new float[d.StateSize];
        for (int i = 0; i < 3; i++)
        {
            one.Step(x, 1, a);
            two.Step(x, 1, b);
            Assert.True(a.AsSpan().SequenceEqual(b));
            System.Threading.Thread.Sleep(5 * ParallelSpinMilliseconds); // past the workers' spin: they block, and must wake for the next step
        }
    }

    [Fact]
    public void ThreadCountsOutsideOneToSixtyFourAreRefusedByName()
    {
        RecurrentNetwork network = Network("rnn-tanh", bidirectional: false);
        Assert.Equal("threads", Assert.Throws<ArgumentOutOfRangeException>(() => network.CreateSession(threads: 0)).ParamName);
        Assert.Equal("threads", Assert.Throws<ArgumentOutOfRangeException>(() => network.CreateSession(threads: 65)).ParamName);
    }

    private static int ParallelSpinMilliseconds => Math.Max(1, ParallelParts.SpinMicroseconds / 1000);

    private static RecurrentNetwork Network(string cell, bool bidirectional)
    {
        NetworkDescription d = cell switch
        {
            "lstm" => new NetworkDescription(CellKind.Lstm, Input, Hidden),
            "lstm-peephole" => new NetworkDescription(CellKind.Lstm, Input, Hidden) { Variant = CellVariant.Peephole },
            "lstm-projection" => new NetworkDescription(CellKind.Lstm, Input, Hidden) { ProjectionSize = 200 },
            "gru" => new NetworkDescription(CellKind.Gru, Input, Hidden),
            "gru-reset-before" => new NetworkDescription(CellKind.Gru, Input, Hidden) { Variant = CellVariant.ResetBefore },
            "rnn-relu" => new NetworkDescription(CellKind.RnnRelu, Input, 2 * Hidden),
            _ => new NetworkDescription(CellKind.RnnTanh, Input, 2 * Hidden),
        };
        return RecurrentNetwork.CreateRandom(d with { NumLayers = 2, Bidirectional = bidirectional }, 11);
    }

    internal static float[] Inputs(int count, int seed)
    {
        var random = new Random(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)((random.NextDouble() * 3) - 1.5);
        }

        return values;
    }
}

using System;
using System.Collections.Generic;
using FastRnn.Heads;
using FastRnn.IO;
using FastRnn.Networks;
using FastRnn.Sessions;
using FastRnn.Tests.Reference;
using Xunit;

namespace FastRnn.Tests.Modules;

/// <summary>
/// Every PyTorch module case loads through <see cref="ModuleFile"/> and matches its expected tensors
/// within 1e-5, run as a whole sequence and step by step in a streaming session, with the head on
/// every output row; the two runs give the same figures.
/// </summary>
public sealed class ModuleConformanceTests
{
    private const double Tolerance = 1e-5;

    [Fact]
    public void EveryCaseIsFound() => Assert.Equal(5, ModuleCaseData.Names().Count);

    [Theory]
    [MemberData(nameof(ModuleCaseData.Cases), MemberType = typeof(ModuleCaseData))]
    public void WholeSequenceAndStreamingMatchTheCase(string name)
    {
        ModuleCaseData c = ModuleCaseData.Load(name);
        LoadedModule module = ModuleFile.Load(c.ModelPath, c.Options);
        Assert.Equal(c.ExtraTensors, module.IgnoredTensors);
        RecurrentNetwork network = module.Network;
        DenseHead head = Assert.IsType<DenseHead>(module.Head);
        NetworkDescription d = network.Description;
        Assert.Equal(c.Mode, NetworkFile.Metadata(d)[1].Value);

        (float[] output, float[] hn, float[]? cn, float[] headOutput) = WholeSequence(c, network, head);
        (float[] streamOutput, float[] streamHn, float[]? streamCn, float[] streamHead) = Streaming(c, network, head);

        Check(c, "output", output);
        Check(c, "h_n", hn);
        Check(c, "head_output", headOutput);
        Assert.Equal(c.Expected.ContainsKey("c_n"), cn is not null);
        if (cn is not null)
        {
            Check(c, "c_n", cn);
        }

        // A row's result does not depend on whether it ran as a sequence or step by step.
        Assert.Equal(output, streamOutput);
        Assert.Equal(hn, streamHn);
        Assert.Equal(cn, streamCn);
        Assert.Equal(headOutput, streamHead);
    }

    private static (float[] Output, float[] Hn, float[]? Cn, float[] Head) WholeSequence(ModuleCaseData c, RecurrentNetwork network, DenseHead head)
    {
        NetworkDescription d = network.Description;
        float[] output = new float[c.Steps * c.Batch * d.OutputSize];            // [T, B, H_out] or [B, T, H_out]
        float[] hn = new float[d.NumLayers * c.Batch * d.StateSize];             // [L, B, H_out]
        float[]? cn = d.HasCellState ? new float[d.NumLayers * c.Batch * d.HiddenSize] : null; // [L, B, H]
        network.Forward(network.CreateWorkspace(c.Batch, c.Steps), c.Input, c.Steps, c.Batch, output, new InitialState(c.H0, c.C0), new FinalState(hn, cn));
        float[] headOutput = new float[c.Steps * c.Batch * head.OutputSize];    // [T, B, C] or [B, T, C]
        head.Apply(output, c.Steps * c.Batch, headOutput);
        return (output, hn, cn, headOutput);
    }

    private static (float[] Output, float[] Hn, float[]? Cn, float[] Head) Streaming(ModuleCaseData c, RecurrentNetwork network, DenseHead head)
    {
        NetworkDescription d = network.Description;
        int inputSize = d.InputSize, outputSize = d.OutputSize, classes = head.OutputSize;
        StreamingSession session = network.CreateSession(c.Batch);
        if (c.H0 is not null)
        {
            session.SetState(c.H0, c.C0, c.Batch);
        }

        float[] x = new float[c.Batch * inputSize];           // [B, I] one step
        float[] h = new float[c.Batch * outputSize];          // [B, H_out]
        float[] y = new float[c.Batch * classes];             // [B, C]
        float[] output = new float[c.Steps * c.Batch * outputSize];
        float[] headOutput = new float[c.Steps * c.Batch * classes];
        for (int t = 0; t < c.Steps; t++)
        {
            for (int b = 0; b < c.Batch; b++)
            {
                c.Input.AsSpan(c.Row(t, b) * inputSize, inputSize).CopyTo(x.AsSpan(b * inputSize));
            }

            session.Step(x, c.Batch, h);
            head.Apply(h, c.Batch, y);
            for (int b = 0; b < c.Batch; b++)
            {
                h.AsSpan(b * outputSize, outputSize).CopyTo(output.AsSpan(c.Row(t, b) * outputSize));
                y.AsSpan(b * classes, classes).CopyTo(headOutput.AsSpan(c.Row(t, b) * classes));
            }
        }

        float[] hn = new float[d.NumLayers * c.Batch * d.StateSize];
        float[]? cn = d.HasCellState ? new float[d.NumLayers * c.Batch * d.HiddenSize] : null;
        session.GetState(hn, cn, c.Batch);
        return (output, hn, cn, headOutput);
    }

    private static void Check(ModuleCaseData c, string tensor, float[] actual)
    {
        double error = ReferenceTolerance.RelativeError(Array.ConvertAll(actual, v => (double)v), c.Expected[tensor]);
        Assert.True(error <= Tolerance, $"{c.Name}: {tensor} relative error {error:E3} > {Tolerance:E0}");
    }
}
